// The OpenSearch Serverless vector collection of the catalog, reachable only through the VPC
// endpoint, encrypted with an AWS-owned key, readable by the apps that search and writable by
// whoever loads the catalog (`npm run catalog:index-opensearch`).
import type { aws_iam as iam} from 'aws-cdk-lib';
import { aws_opensearchserverless as aoss, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface SearchCollectionProps {
  /** Collection names are 3-32 lowercase characters. */
  name: string;
  vpcEndpointId: string;
  /** Task roles that search (aoss:ReadDocument on the collection's indexes). */
  readers: iam.IRole[];
  /** Principals that may create and load indexes (the catalog loader); optional. */
  loaders?: string[];
}

export class SearchCollection extends Construct {
  readonly collection: aoss.CfnCollection;

  constructor(scope: Construct, id: string, props: SearchCollectionProps) {
    super(scope, id);
    const { name } = props;
    const collectionResource = [`collection/${name}`];
    const indexResource = [`index/${name}/*`];
    const encryption = new aoss.CfnSecurityPolicy(this, 'EncryptionPolicy', {
      name: `${name}-enc`,
      type: 'encryption',
      policy: JSON.stringify({ Rules: [{ ResourceType: 'collection', Resource: collectionResource }], AWSOwnedKey: true }),
    });
    const network = new aoss.CfnSecurityPolicy(this, 'NetworkPolicy', {
      name: `${name}-net`,
      type: 'network',
      policy: JSON.stringify([
        {
          Rules: [
            { ResourceType: 'collection', Resource: collectionResource },
            { ResourceType: 'dashboard', Resource: collectionResource },
          ],
          AllowFromPublic: false,
          SourceVPCEs: [props.vpcEndpointId],
        },
      ]),
    });
    const access: object[] = [
      {
        Description: 'The apps search the catalog',
        Rules: [{ ResourceType: 'index', Resource: indexResource, Permission: ['aoss:ReadDocument', 'aoss:DescribeIndex'] }],
        Principal: props.readers.map((r) => r.roleArn),
      },
    ];
    if (props.loaders?.length) {
      access.push({
        Description: 'The catalog loader creates and fills indexes',
        Rules: [
          {
            ResourceType: 'index',
            Resource: indexResource,
            Permission: ['aoss:DescribeIndex', 'aoss:CreateIndex', 'aoss:WriteDocument', 'aoss:DeleteIndex', 'aoss:ReadDocument'],
          },
        ],
        Principal: props.loaders,
      });
    }
    new aoss.CfnAccessPolicy(this, 'DataAccessPolicy', { name: `${name}-access`, type: 'data', policy: Stack.of(this).toJsonString(access) });
    this.collection = new aoss.CfnCollection(this, 'Collection', {
      name,
      type: 'VECTORSEARCH',
      // One OCU each for indexing and search instead of two: the minimum a store this size needs.
      standbyReplicas: 'DISABLED',
      description: 'MangaAssist catalog vectors',
    });
    this.collection.node.addDependency(encryption, network);
  }
}
