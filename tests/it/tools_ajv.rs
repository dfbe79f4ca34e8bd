//! Issue 15: both JSON Schemas compile in Ajv's strict mode (draft 2020-12, `strict: true`, the
//! standard formats of ajv-formats and nothing else), and the shipped models, the example
//! repository's model and `ttpc init`'s model — read by js-yaml, a YAML 1.1-style reader that
//! turns bare dates into dates — validate against the threat-model schema, as a compiled
//! assessment does against its own. Needs node and npm (see `tools`).

use std::process::Command;

use crate::{common, tools};

/// `node validate.js SCHEMA FILE...`: one line per file, `ok` or the errors.
const VALIDATE: &str = r#"
const fs = require("fs");
const Ajv2020 = require("ajv/dist/2020");
const addFormats = require("ajv-formats");
const yaml = require("js-yaml");
const [schemaPath, ...files] = process.argv.slice(2);
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, "utf8")));
for (const file of files) {
  const text = fs.readFileSync(file, "utf8");
  const doc = file.endsWith(".json") ? JSON.parse(text) : yaml.load(text);
  console.log(validate(doc) ? `ok ${file}` : `INVALID ${file}: ${ajv.errorsText(validate.errors)}`);
}
"#;

#[test]
fn schemas_compile_in_ajv_strict_mode_and_shipped_models_validate() {
    let Some(dir) = tools::node("Ajv schema test", "node", &["ajv@8", "ajv-formats@3", "js-yaml@4"]) else {
        return;
    };
    let script = dir.join("validate.js");
    std::fs::write(&script, VALIDATE).expect("script");
    let root = common::root();
    let work = tempfile::tempdir().expect("temp");

    // Models: the shipped ones, the example repository's and a fresh `ttpc init`.
    let mut models: Vec<std::path::PathBuf> = std::fs::read_dir(root.join("models"))
        .expect("models/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    models.push(root.join("examples/repo/threat-model.yaml"));
    let init = work.path().join("init.yaml");
    let out = common::ttpc().args(["init", "--name", "Init model", "-o"]).arg(&init).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    // `ttpc init` leaves optional keys commented out; uncomment the date to check its quoting.
    let text = std::fs::read_to_string(&init).expect("init model").replace("# assessed:", "assessed:");
    std::fs::write(&init, text).expect("write");
    models.push(init);

    let assessment = work.path().join("assessment.json");
    let out = common::ttpc()
        .args(["compile", "tests/fixtures/compile/model.yaml", "--format", "json", "-o"])
        .arg(work.path().join("out"))
        .arg("--attack-data")
        .arg(common::mini21())
        .output()
        .expect("runs");
    std::fs::write(&assessment, &out.stdout).expect("assessment");

    for (schema, files) in
        [("schema/threat-model.schema.json", models), ("schema/assessment.schema.json", vec![assessment])]
    {
        let mut cmd = Command::new("node");
        cmd.arg(&script).arg(root.join(schema)).args(&files).current_dir(&dir);
        let said = tools::run(cmd);
        assert_eq!(said.lines().count(), files.len(), "{said}");
        for line in said.lines() {
            assert!(line.starts_with("ok "), "{schema}: {line}");
        }
    }
}
