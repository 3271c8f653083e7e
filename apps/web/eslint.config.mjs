import baseConfig from '../../eslint.config.mjs';

export default [...baseConfig, { files: ['**/*.tsx'], rules: { '@typescript-eslint/consistent-type-imports': 'error' } }];
