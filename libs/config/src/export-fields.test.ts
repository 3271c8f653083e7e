import { z } from 'zod';
import { loadConfig } from './load-config';
import { awsShape } from './service-fields';
import { exportShape, resolveS3Endpoint } from './export-fields';

const schema = z.object({ ...awsShape, ...exportShape });

describe('export settings', () => {
  it('write to the local stand-in bucket for 15-minute links by default', () => {
    const config = loadConfig(schema, {});
    expect(config).toMatchObject({ EXPORT_BUCKET: 'manga-assist-exports', EXPORT_URL_TTL_S: 900 });
    expect(resolveS3Endpoint(config)).toBe('http://127.0.0.1:4569');
  });

  it("use AWS's endpoint with LOCAL_STACK=false, and S3_ENDPOINT wherever it is set", () => {
    expect(resolveS3Endpoint(loadConfig(schema, { LOCAL_STACK: 'false' }))).toBeUndefined();
    expect(resolveS3Endpoint(loadConfig(schema, { LOCAL_STACK: 'false', S3_ENDPOINT: 'http://minio.internal:9000' }))).toBe('http://minio.internal:9000');
  });

  it('stop the app at start naming the variable: a bad bucket name, a link lifetime over 7 days, an endpoint that is not a URL', () => {
    expect(() => loadConfig(schema, { EXPORT_BUCKET: 'Exports_Bucket' })).toThrow(/EXPORT_BUCKET must be an S3 bucket name/);
    expect(() => loadConfig(schema, { EXPORT_URL_TTL_S: '604801' })).toThrow(/EXPORT_URL_TTL_S must be at most 604800/);
    expect(() => loadConfig(schema, { EXPORT_URL_TTL_S: '0' })).toThrow(/EXPORT_URL_TTL_S must be a positive integer/);
    expect(() => loadConfig(schema, { S3_ENDPOINT: 'localhost:4569' })).toThrow(/S3_ENDPOINT must be an http/);
  });
});
