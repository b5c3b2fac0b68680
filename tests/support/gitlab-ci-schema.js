// Validates GitLab CI files against GitLab's JSON schema of `.gitlab-ci.yml`
// with ajv (the schema is draft-07). Usage: node gitlab-ci-schema.js
// SCHEMA FILE...; prints every problem and exits 1 if there is any.
const Ajv = require('ajv');
const addFormats = require('ajv-formats');
const yaml = require('js-yaml');
const fs = require('fs');
const [schemaPath, ...files] = process.argv.slice(2);
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
// The schema carries `markdownDescription` (an editor's annotation), has
// union types, and `required` without `type: object` in places: allowed,
// the rest of ajv's strict mode kept. Formats (uri, …) are checked.
const ajv = new Ajv({
  allErrors: true,
  allowUnionTypes: true,
  strictTypes: false,
  keywords: ['markdownDescription'],
});
addFormats(ajv);
const validate = ajv.compile(schema);
let n = 0;
for (const f of files) {
  let doc;
  try {
    doc = yaml.load(fs.readFileSync(f, 'utf8'), { filename: f });
  } catch (e) {
    console.log(`${f}: not YAML: ${e.message}`);
    n++;
    continue;
  }
  if (!validate(doc)) {
    for (const e of validate.errors) {
      console.log(`${f}: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)} [${e.schemaPath}]`);
      n++;
    }
  }
}
console.log(`${files.length} files checked, ${n} problems`);
process.exit(n ? 1 : 0);
