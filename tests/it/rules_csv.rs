//! The CSV inventory adapter, through the public API.

use std::path::{Path, PathBuf};

use ttpc::model::RuleKind;
use ttpc::rules::{DetectionRule, Parsed, Skip, SkipReason, adapter, load};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules/csv")
}

fn parse_fixture(name: &str) -> Result<Parsed, Skip> {
    let path = fixtures().join(name);
    let text = std::fs::read_to_string(&path).expect("fixture is readable");
    adapter(RuleKind::Csv).parse(&path, &text)
}

fn parse_text(text: &str) -> Result<Parsed, Skip> {
    adapter(RuleKind::Csv).parse(Path::new("inline.csv"), text)
}

fn rule<'a>(parsed: &'a Parsed, id: &str) -> &'a DetectionRule {
    parsed.rules.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no rule {id} in {:?}", parsed.rules))
}

#[test]
fn adapter_kind_and_extension() {
    let csv = adapter(RuleKind::Csv);
    assert_eq!(csv.kind(), RuleKind::Csv);
    assert!(csv.accepts(Path::new("rules/edr.csv")));
    assert!(csv.accepts(Path::new("rules/EDR.CSV")));
    assert!(!csv.accepts(Path::new("rules/edr.tsv")));
    assert!(!csv.accepts(Path::new("rules/README.md")));
}

#[test]
fn inventory_yields_every_row_with_an_id_in_order() {
    let parsed = parse_fixture("inventory.csv").expect("parses");
    let ids: Vec<&str> = parsed.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["HR-001", "HR-002", "HR-003", "HR-004", "HR-005", "HR-006"]);
    let locators: Vec<Option<&str>> = parsed.rules.iter().map(|r| r.locator.as_deref()).collect();
    assert_eq!(
        locators,
        [Some("line 2"), Some("line 3"), Some("line 4"), Some("line 6"), Some("line 7"), Some("line 8")]
    );
    assert!(parsed.rules.iter().all(|r| r.kind == RuleKind::Csv));
    assert!(parsed.rules.iter().all(|r| r.weight == 1));
    assert!(parsed.rules.iter().all(|r| r.level.is_none()));
}

#[test]
fn mixed_separators_in_one_quoted_field() {
    let parsed = parse_fixture("inventory.csv").expect("parses");
    let r = rule(&parsed, "HR-001");
    assert_eq!(r.title, "Encoded PowerShell command line");
    assert_eq!(r.techniques, ["T1059.001", "T1003", "T1021.002", "T1105"]);
    assert!(r.tags.is_empty());
    assert_eq!(r.status.as_deref(), Some("production"));
    assert!(r.enabled);
}

#[test]
fn quoted_title_with_escaped_quotes_and_a_disabled_row() {
    let parsed = parse_fixture("inventory.csv").expect("parses");
    let r = rule(&parsed, "HR-002");
    assert_eq!(r.title, r#"Service created by "sc.exe", remote"#);
    assert_eq!(r.techniques, ["T1543.003", "T1569.002"]);
    assert_eq!(r.status.as_deref(), Some("beta"));
    assert!(!r.enabled);
}

#[test]
fn bad_enabled_value_warns_and_counts_as_enabled() {
    let parsed = parse_fixture("inventory.csv").expect("parses");
    let r = rule(&parsed, "HR-003");
    assert!(r.enabled);
    assert_eq!(r.techniques, ["T1218.011"]);
    assert_eq!(
        parsed.warnings,
        [
            "line 4: rule HR-003 has enabled value `maybe`, not a yes/no value; treated as enabled",
            "line 5: row without an id",
        ]
    );
}

#[test]
fn empty_title_falls_back_to_the_id_and_empty_enabled_is_true() {
    let parsed = parse_fixture("inventory.csv").expect("parses");
    let r = rule(&parsed, "HR-004");
    assert_eq!(r.title, "HR-004");
    assert_eq!(r.status.as_deref(), Some("deprecated"));
    assert!(r.enabled);
    assert_eq!(r.techniques, ["T1486"]);
}

#[test]
fn non_technique_tokens_become_tags_without_warning() {
    let parsed = parse_fixture("inventory.csv").expect("parses");
    let r = rule(&parsed, "HR-005");
    assert_eq!(r.techniques, ["T1204.002"]);
    assert_eq!(r.tags, ["TA0002", "execution"]);
    assert_eq!(r.status.as_deref(), Some("test"));
    assert!(!r.enabled, "OFF is a no");
    assert!(!parsed.warnings.iter().any(|w| w.contains("HR-005")));
}

#[test]
fn a_row_without_techniques_is_still_a_rule() {
    let parsed = parse_fixture("inventory.csv").expect("parses");
    let r = rule(&parsed, "HR-006");
    assert!(r.techniques.is_empty());
    assert!(r.tags.is_empty());
    assert!(r.enabled);
}

#[test]
fn reordered_columns_with_an_extra_one() {
    let parsed = parse_fixture("reordered.csv").expect("parses");
    assert!(parsed.warnings.is_empty());
    assert_eq!(parsed.rules.len(), 2);
    let spray = &parsed.rules[0];
    assert_eq!(spray.id, "HR-101");
    assert_eq!(spray.title, "Password spraying against the VPN portal");
    assert_eq!(spray.techniques, ["T1110.003"]);
    assert!(!spray.enabled);
    assert_eq!(spray.status, None);
    assert_eq!(spray.locator.as_deref(), Some("line 2"));
    let console = &parsed.rules[1];
    assert_eq!(console.id, "HR-102");
    assert_eq!(console.techniques, ["t1078.004"], "case as written");
    assert!(console.enabled);
    assert!(console.tags.is_empty(), "the Owner column is ignored");
    assert_eq!(console.locator.as_deref(), Some("line 3"));
}

#[test]
fn crlf_blank_lines_and_multi_line_records_keep_physical_lines() {
    let parsed = parse_fixture("crlf.csv").expect("parses");
    assert!(parsed.warnings.is_empty(), "a row of bare commas is padding");
    let found: Vec<(&str, Option<&str>)> =
        parsed.rules.iter().map(|r| (r.id.as_str(), r.locator.as_deref())).collect();
    assert_eq!(found, [("HR-601", Some("line 3")), ("HR-602", Some("line 5")), ("HR-603", Some("line 7"))]);
    assert_eq!(parsed.rules[1].title, "Title spanning\r\ntwo lines");
    assert_eq!(parsed.rules[2].techniques, ["T1112"]);
}

#[test]
fn header_without_techniques_is_not_a_rule() {
    let skip = parse_fixture("no-techniques.csv").expect_err("skipped");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(
        skip.detail,
        "the header has no `techniques` column (a CSV inventory needs `id` and `techniques`)"
    );
}

#[test]
fn header_without_either_required_column_names_both() {
    let skip = parse_text("name,tactic\nfoo,execution\n").expect_err("skipped");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(
        skip.detail,
        "the header has no `id` or `techniques` columns (a CSV inventory needs `id` and `techniques`)"
    );
}

#[test]
fn semicolon_separated_export_gets_a_hint() {
    let skip = parse_fixture("semicolons.csv").expect_err("skipped");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(
        skip.detail,
        "the header has no `id` or `techniques` columns (a CSV inventory needs `id` and \
         `techniques`); the header looks `;`-separated, ttpc reads `,`"
    );
}

#[test]
fn header_only_is_not_a_rule() {
    let skip = parse_fixture("header-only.csv").expect_err("skipped");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(skip.detail, "a header without any rows");
    let skip = parse_text("id,techniques\n,\n , \n").expect_err("padding only");
    assert_eq!(skip.detail, "a header without any rows");
}

#[test]
fn empty_file_is_not_a_rule() {
    let skip = parse_text("\n  \n").expect_err("skipped");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(skip.detail, "an empty file");
}

#[test]
fn unclosed_quote_is_a_syntax_error_at_its_opening() {
    let skip = parse_fixture("unclosed-quote.csv").expect_err("skipped");
    assert_eq!(skip.reason, SkipReason::InvalidSyntax);
    assert_eq!(skip.detail, "line 3 column 8: quoted field never closed before the end of the file");
}

#[test]
fn quotes_inside_unquoted_fields_are_literal() {
    let parsed = parse_text("id,title,techniques\nHR-1,The \"odd\" one,T1027\n").expect("parses");
    assert_eq!(parsed.rules[0].title, "The \"odd\" one");
    assert_eq!(parsed.rules[0].techniques, ["T1027"]);
}

#[test]
fn enabled_words_in_any_case() {
    let text = "id,techniques,enabled\n\
                a,T1059,TRUE\nb,T1059,Yes\nc,T1059,1\nd,T1059,On\ne,T1059,Enabled\n\
                f,T1059,False\ng,T1059,NO\nh,T1059,0\ni,T1059,off\nj,T1059,DISABLED\n";
    let parsed = parse_text(text).expect("parses");
    let flags: Vec<(&str, bool)> = parsed.rules.iter().map(|r| (r.id.as_str(), r.enabled)).collect();
    assert_eq!(
        flags,
        [
            ("a", true),
            ("b", true),
            ("c", true),
            ("d", true),
            ("e", true),
            ("f", false),
            ("g", false),
            ("h", false),
            ("i", false),
            ("j", false)
        ]
    );
    assert!(parsed.warnings.is_empty());
    assert_eq!(parsed.rules[0].techniques, ["T1059"]);
    // (A technique-like value that is no ID, such as `T1`, is reported: tests/it/messy_tags.rs.)
}

#[test]
fn short_rows_and_a_byte_order_mark() {
    let parsed = parse_text("\u{feff}ID,Techniques,Title\nHR-9,T1098\n").expect("parses");
    let r = &parsed.rules[0];
    assert_eq!(r.id, "HR-9");
    assert_eq!(r.title, "HR-9");
    assert_eq!(r.techniques, ["T1098"]);
    assert_eq!(r.path, PathBuf::from("inline.csv"));
}

#[test]
fn json_in_a_csv_file_is_read_as_one_column_and_not_a_rule() {
    // The csv crate accepts almost any text: here `{` is a one-column header.
    let skip = parse_fixture("not-csv.csv").expect_err("skipped");
    assert_eq!(skip.reason, SkipReason::NotARule);
    assert_eq!(
        skip.detail,
        "the header has no `id` or `techniques` columns (a CSV inventory needs `id` and `techniques`)"
    );
}

#[test]
fn load_the_fixture_folder() {
    let report = load(RuleKind::Csv, &fixtures()).expect("folder loads");
    assert_eq!(report.files, 9);
    assert_eq!(report.parsed_files, 3);
    assert_eq!(report.rules.len(), 11);
    assert_eq!(report.rules_with_techniques(), 10);
    let skipped: Vec<(&str, SkipReason)> =
        report.skipped.iter().map(|s| (s.path.to_str().expect("utf-8 path"), s.reason)).collect();
    assert_eq!(
        skipped,
        [
            ("README.md", SkipReason::NotARule),
            ("header-only.csv", SkipReason::NotARule),
            ("no-techniques.csv", SkipReason::NotARule),
            ("not-csv.csv", SkipReason::NotARule),
            ("semicolons.csv", SkipReason::NotARule),
            ("unclosed-quote.csv", SkipReason::InvalidSyntax),
        ]
    );
    assert_eq!(report.skipped[0].detail, "csv rules do not use this file extension");
    let warnings: Vec<(&str, &str)> =
        report.warnings.iter().map(|w| (w.path.to_str().expect("utf-8 path"), w.message.as_str())).collect();
    assert_eq!(
        warnings,
        [
            (
                "inventory.csv",
                "line 4: rule HR-003 has enabled value `maybe`, not a yes/no value; treated as enabled"
            ),
            ("inventory.csv", "line 5: row without an id"),
        ]
    );
    let hr101 = report.rules.iter().find(|r| r.id == "HR-101").expect("HR-101");
    assert_eq!(hr101.path, PathBuf::from("reordered.csv"));
    assert_eq!(hr101.place(), "reordered.csv line 2");
}

#[test]
fn load_the_sample_inventory() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/rules/edr-vendor.csv");
    let report = load(RuleKind::Csv, &path).expect("sample loads");
    assert_eq!(report.files, 1);
    assert_eq!(report.parsed_files, 1);
    assert!(report.skipped.is_empty());
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(report.rules.len(), 16);
    assert_eq!(report.rules_with_techniques(), 14);
    assert_eq!(report.rules.iter().filter(|r| !r.enabled).count(), 2);
    assert_eq!(report.rules.iter().filter(|r| r.status.as_deref() == Some("deprecated")).count(), 1);
}
