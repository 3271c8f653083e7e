import nx from '@nx/eslint-plugin';

// Module boundaries are an error: apps depend on libs, libs never on apps, and each kind of lib
// only on the kinds below it; `testing` helpers are open to every project's tests, and the
// no-cycles check keeps them from reaching back. Nx reports circular project dependencies through the same rule.
export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.data', '**/tmp', '**/coverage'] },
  {
    files: ['**/*.ts', '**/*.js', '**/*.cjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allowCircularSelfDependency: false,
          banTransitiveDependencies: false,
          checkDynamicDependenciesExceptions: [],
          depConstraints: [
            // The CDK app deploys the apps (implicit dependencies) and reads the libs' resource definitions.
            {
              sourceTag: 'type:deploy',
              onlyDependOnLibsWithTags: ['type:app', 'type:feature', 'type:data-access', 'type:contract', 'type:util'],
            },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:feature',
                'type:data-access',
                'type:contract',
                'type:util',
                'type:testing',
              ],
            },
            {
              sourceTag: 'type:feature',
              onlyDependOnLibsWithTags: [
                'type:feature',
                'type:data-access',
                'type:contract',
                'type:util',
                'type:testing',
              ],
            },
            {
              sourceTag: 'type:data-access',
              onlyDependOnLibsWithTags: ['type:data-access', 'type:contract', 'type:util', 'type:testing'],
            },
            { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:contract', 'type:util', 'type:testing'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:testing'] },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:data-access', 'type:contract', 'type:util', 'type:testing'],
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
