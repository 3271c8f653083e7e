import { routeModel } from './route-model';

describe('routeModel', () => {
  it('sends simple requests to Haiku and complex ones to Sonnet', () => {
    expect(routeModel({ intent: 'trending', complexity: 'simple' })).toBe('haiku');
    expect(routeModel({ intent: 'recommendation', complexity: 'complex' })).toBe('sonnet');
  });

  it('treats a comparison as complex even when the classifier did not', () => {
    expect(routeModel({ intent: 'comparison', complexity: 'simple' })).toBe('sonnet');
  });

  it('falls back to Haiku while Sonnet is unavailable', () => {
    expect(routeModel({ intent: 'comparison', complexity: 'complex' }, { sonnetAvailable: false })).toBe('haiku');
    expect(routeModel({ intent: 'comparison', complexity: 'complex' }, { sonnetAvailable: true })).toBe('sonnet');
  });
});
