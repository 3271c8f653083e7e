#!/usr/bin/env node
// Creates a project skeleton with the workspace's conventions:
//   node tools/scaffold/new-project.mjs lib <name> <tag>   → libs/<name>, alias @manga-assist/<name>
//   node tools/scaffold/new-project.mjs app <name>         → apps/<name>, esbuild bundle to dist/apps/<name>
import fs from 'node:fs';
import path from 'node:path';

const [kind, name, tag] = process.argv.slice(2);
if (!['lib', 'app'].includes(kind) || !name || (kind === 'lib' && !tag)) {
  console.error('usage: new-project.mjs lib <name> <type-tag> | app <name>');
  process.exit(2);
}
const root = kind === 'lib' ? `libs/${name}` : `apps/${name}`;
if (fs.existsSync(root)) {
  console.error(`${root} already exists`);
  process.exit(2);
}
const write = (file, content) => {
  const full = path.join(root, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n');
};

const targets = { typecheck: {} };
if (kind === 'app') {
  targets.build = {
    executor: '@nx/esbuild:esbuild',
    outputs: ['{options.outputPath}'],
    options: {
      platform: 'node',
      outputPath: `dist/apps/${name}`,
      format: ['cjs'],
      bundle: true,
      thirdParty: false,
      main: `${root}/src/main.ts`,
      tsConfig: `${root}/tsconfig.json`,
      generatePackageJson: false,
      sourcemap: true,
      esbuildOptions: { outExtension: { '.js': '.js' } },
    },
  };
}
write('project.json', {
  name,
  $schema: '../../node_modules/nx/schemas/project-schema.json',
  sourceRoot: `${root}/src`,
  projectType: kind === 'lib' ? 'library' : 'application',
  tags: [kind === 'lib' ? `type:${tag}` : 'type:app'],
  targets,
});
write('tsconfig.json', {
  extends: '../../tsconfig.base.json',
  compilerOptions: { types: ['node', 'jest'] },
  include: ['src/**/*.ts', 'test/**/*.ts'],
});
write('jest.config.cjs', `module.exports = {\n  displayName: '${name}',\n  preset: '../../jest.preset.js',\n  rootDir: __dirname,\n};\n`);
write('eslint.config.mjs', `import baseConfig from '../../eslint.config.mjs';\n\nexport default [...baseConfig];\n`);
if (kind === 'lib') write('src/index.ts', `export {};\n`);
else write('src/main.ts', `// Composition root of ${name}.\n`);

if (kind === 'lib') {
  const tsbase = JSON.parse(fs.readFileSync('tsconfig.base.json', 'utf8'));
  tsbase.compilerOptions.paths[`@manga-assist/${name}`] = [`${root}/src/index.ts`];
  tsbase.compilerOptions.paths = Object.fromEntries(Object.entries(tsbase.compilerOptions.paths).sort());
  fs.writeFileSync('tsconfig.base.json', JSON.stringify(tsbase, null, 2) + '\n');
}
console.log(`created ${root}`);
