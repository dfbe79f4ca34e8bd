//! What telemetry a rule needs to fire, and the built-in mapping of what each format declares onto
//! the log-source names ATT&CK's analytics use (`WinEventLog:Sysmon`, `auditd:SYSCALL`, ...).
//!
//! Every adapter records what its rule declares as *requirement descriptors*, one per declared
//! source, written `prefix:value`:
//!
//! | format | descriptor |
//! | --- | --- |
//! | Sigma `logsource` | `sigma:<product>/<category>/<service>` (parts present, in that order) |
//! | Splunk security_content `data_source` | `splunk:<data source>` |
//! | savedsearches `search` | `sourcetype:<sourcetype>`, else `index:<index>` |
//! | Elastic `index` | `index:<pattern>`, else `integration:<package>[/<integration>]` |
//! | Sentinel `requiredDataConnectors` | `sentinel:<dataType>`, else `connector:<connectorId>` |
//! | CSV `telemetry` column | the ATT&CK name itself |
//!
//! A rule fires when *any one* of its declared sources is collected (an Elastic rule over
//! `winlogbeat-*, logs-endpoint.events.*` works with either shipper). A descriptor maps onto a
//! set of ATT&CK names of which any one suffices (`sigma:windows/process_creation` is seen by
//! Sysmon event 1 or Security event 4688). The mapping is [`BUILTIN`], extended or overridden by
//! the model's `telemetry_map` (whose keys are descriptor patterns, `*` matching anything; a
//! model entry wins over a built-in one). A descriptor without a prefix ttpc knows is taken as an
//! ATT&CK name. A rule whose descriptors map to nothing known has an *unknown* requirement: it
//! counts, and is listed, so that nothing is excluded on a guess.

use std::collections::BTreeSet;

use super::DetectionRule;

/// The prefixes of requirement descriptors; anything else is a log-source name itself.
pub const PREFIXES: [&str; 8] =
    ["sigma:", "splunk:", "sourcetype:", "index:", "integration:", "sentinel:", "connector:", "csv:"];

const SYSMON: &str = "WinEventLog:Sysmon";
const SECURITY: &str = "WinEventLog:Security";
const POWERSHELL: &str = "WinEventLog:PowerShell";
const SYSTEM: &str = "WinEventLog:System";
const APPLICATION: &str = "WinEventLog:Application";
const AUDITD: &str = "auditd:SYSCALL";
const EDR: &str = "EDR:Telemetry";
const WINDOWS_CHANNELS: &[&str] = &[SECURITY, SYSMON, POWERSHELL, SYSTEM, APPLICATION];

/// The built-in mapping: descriptor pattern (case-insensitive, `*` matches any text) → ATT&CK
/// log-source names, any one of which lets a rule with that descriptor fire. The first matching
/// pattern wins, so specific patterns come before general ones. Documented in the README
/// ("What counts as coverage").
pub const BUILTIN: &[(&str, &[&str])] = &[
    // Sigma: Windows services (event log channels).
    ("sigma:windows/sysmon", &[SYSMON]),
    ("sigma:windows/security", &[SECURITY]),
    ("sigma:windows/system", &[SYSTEM]),
    ("sigma:windows/application", &[APPLICATION]),
    ("sigma:windows/powershell", &[POWERSHELL]),
    ("sigma:windows/powershell-classic", &[POWERSHELL]),
    ("sigma:windows/taskscheduler", &["WinEventLog:TaskScheduler"]),
    ("sigma:windows/wmi", &["WinEventLog:WMI"]),
    ("sigma:windows/codeintegrity-operational", &["WinEventLog:Microsoft-Windows-CodeIntegrity/Operational"]),
    ("sigma:windows/windefend", &["WinEventLog:Microsoft-Windows-Windows Defender/Operational"]),
    // Sigma: Windows categories. Process creation is Sysmon 1 or Security 4688; the others are
    // Sysmon events (Sigma's taxonomy), PowerShell's script and module logging.
    ("sigma:windows/process_creation", &[SYSMON, SECURITY]),
    ("sigma:windows/ps_script", &[POWERSHELL]),
    ("sigma:windows/ps_module", &[POWERSHELL]),
    ("sigma:windows/ps_classic_*", &[POWERSHELL]),
    ("sigma:windows/network_connection", &[SYSMON]),
    ("sigma:windows/image_load", &[SYSMON]),
    ("sigma:windows/file_*", &[SYSMON]),
    ("sigma:windows/registry_*", &[SYSMON]),
    ("sigma:windows/create_remote_thread", &[SYSMON]),
    ("sigma:windows/create_stream_hash", &[SYSMON]),
    ("sigma:windows/process_access", &[SYSMON]),
    ("sigma:windows/process_tampering", &[SYSMON]),
    ("sigma:windows/raw_access_thread", &[SYSMON]),
    ("sigma:windows/driver_load", &[SYSMON]),
    ("sigma:windows/pipe_created", &[SYSMON]),
    ("sigma:windows/dns_query", &[SYSMON]),
    ("sigma:windows/wmi_event", &[SYSMON]),
    ("sigma:windows/sysmon_*", &[SYSMON]),
    ("sigma:windows/clipboard_capture", &[SYSMON]),
    // Sigma: Linux, macOS.
    ("sigma:linux/auditd", &[AUDITD]),
    ("sigma:linux/process_creation", &[AUDITD, "linux:Sysmon"]),
    ("sigma:linux/network_connection", &["linux:Sysmon"]),
    ("sigma:linux/file_*", &["linux:Sysmon"]),
    ("sigma:linux/syslog", &["linux:syslog"]),
    ("sigma:linux/auth", &["linux:syslog"]),
    ("sigma:linux/sshd", &["linux:syslog"]),
    ("sigma:linux/sudo", &["linux:syslog"]),
    ("sigma:linux/cron", &["linux:syslog"]),
    ("sigma:linux", &["linux:syslog"]),
    ("sigma:macos/process_creation", &["macos:endpointsecurity", "macos:unifiedlog"]),
    ("sigma:macos/file_*", &["macos:endpointsecurity"]),
    // Sigma: cloud and SaaS.
    ("sigma:aws/cloudtrail", &["AWS:CloudTrail"]),
    ("sigma:azure/signinlogs", &["azure:signinlogs"]),
    ("sigma:azure/activitylogs", &["azure:activity"]),
    ("sigma:azure/auditlogs", &["azure:audit"]),
    ("sigma:m365/*", &["m365:unified"]),
    ("sigma:gcp/gcp.audit", &["gcp:audit"]),
    ("sigma:gcp/google_workspace.admin", &["saas:googleworkspace"]),
    ("sigma:okta/okta", &["saas:okta"]),
    ("sigma:github/audit", &["saas:github"]),
    ("sigma:kubernetes/*", &["kubernetes:audit"]),
    // Sigma: network.
    ("sigma:dns", &["dns:query"]),
    ("sigma:firewall", &["NSM:Firewall"]),
    ("sigma:zeek/*", &["NSM:Connections"]),
    // Splunk security_content data sources.
    ("splunk:Sysmon EventID *", &[SYSMON]),
    ("splunk:Sysmon for Linux EventID *", &["linux:Sysmon"]),
    ("splunk:Windows Event Log Security *", &[SECURITY]),
    ("splunk:Windows Event Log System *", &[SYSTEM]),
    ("splunk:Windows Event Log Application *", &[APPLICATION]),
    ("splunk:Powershell Script Block Logging *", &[POWERSHELL]),
    ("splunk:Powershell Module Logging *", &[POWERSHELL]),
    ("splunk:Linux Auditd *", &[AUDITD]),
    ("splunk:AWS CloudTrail*", &["AWS:CloudTrail"]),
    ("splunk:Azure Active Directory*", &["azure:signinlogs", "azure:audit"]),
    ("splunk:O365 *", &["m365:unified"]),
    ("splunk:Okta*", &["saas:okta"]),
    ("splunk:GitHub*", &["saas:github"]),
    ("splunk:Google Workspace*", &["saas:googleworkspace"]),
    ("splunk:GCP*", &["gcp:audit"]),
    ("splunk:Kubernetes Audit*", &["kubernetes:audit"]),
    ("splunk:CrowdStrike *", &[EDR]),
    // Splunk sourcetypes (savedsearches).
    ("sourcetype:*sysmon*", &[SYSMON]),
    ("sourcetype:*WinEventLog:Security", &[SECURITY]),
    ("sourcetype:*WinEventLog:System", &[SYSTEM]),
    ("sourcetype:*WinEventLog:Application", &[APPLICATION]),
    ("sourcetype:*PowerShell*", &[POWERSHELL]),
    ("sourcetype:aws:cloudtrail", &["AWS:CloudTrail"]),
    ("sourcetype:linux:audit", &[AUDITD]),
    ("sourcetype:linux_audit", &[AUDITD]),
    ("sourcetype:linux_secure", &["linux:syslog"]),
    ("sourcetype:syslog", &["linux:syslog"]),
    ("sourcetype:o365:management:activity", &["m365:unified"]),
    // Elastic index patterns: Elastic Defend and other EDRs, then Windows channels.
    ("index:logs-endpoint.*", &[EDR]),
    ("index:endgame-*", &[EDR]),
    ("index:logs-crowdstrike.*", &[EDR]),
    ("index:logs-sentinel_one_cloud_funnel.*", &[EDR]),
    ("index:logs-m365_defender.*", &[EDR]),
    ("index:logs-windows.sysmon_operational*", &[SYSMON]),
    ("index:logs-windows.powershell*", &[POWERSHELL]),
    ("index:logs-system.security*", &[SECURITY]),
    ("index:logs-system.system*", &[SYSTEM]),
    ("index:logs-system.application*", &[APPLICATION]),
    ("index:logs-windows.*", WINDOWS_CHANNELS),
    ("index:winlogbeat-*", WINDOWS_CHANNELS),
    ("index:logs-system.auth*", &["linux:syslog"]),
    ("index:logs-auditd_manager.*", &[AUDITD]),
    ("index:auditbeat-*", &[AUDITD]),
    ("index:logs-aws.cloudtrail*", &["AWS:CloudTrail"]),
    ("index:logs-azure.signinlogs*", &["azure:signinlogs"]),
    ("index:logs-azure.activitylogs*", &["azure:activity"]),
    ("index:logs-azure.auditlogs*", &["azure:audit"]),
    ("index:logs-o365*", &["m365:unified"]),
    ("index:logs-gcp.audit*", &["gcp:audit"]),
    ("index:logs-google_workspace*", &["saas:googleworkspace"]),
    ("index:logs-okta*", &["saas:okta"]),
    ("index:logs-github.audit*", &["saas:github"]),
    ("index:logs-kubernetes.audit*", &["kubernetes:audit"]),
    ("index:packetbeat-*", &["NSM:Flow"]),
    ("index:logs-network_traffic.*", &["NSM:Flow"]),
    // Elastic integrations (rules without index patterns, e.g. ES|QL).
    ("integration:endpoint", &[EDR]),
    ("integration:windows/sysmon_operational", &[SYSMON]),
    ("integration:windows/powershell*", &[POWERSHELL]),
    ("integration:system/security", &[SECURITY]),
    ("integration:aws/cloudtrail", &["AWS:CloudTrail"]),
    ("integration:azure/signinlogs", &["azure:signinlogs"]),
    ("integration:o365*", &["m365:unified"]),
    ("integration:okta*", &["saas:okta"]),
    ("integration:gcp*", &["gcp:audit"]),
    // Sentinel data types.
    ("sentinel:SecurityEvent", &[SECURITY]),
    ("sentinel:WindowsEvent", WINDOWS_CHANNELS),
    ("sentinel:Event", &[SYSTEM, APPLICATION, SYSMON]),
    ("sentinel:SigninLogs", &["azure:signinlogs"]),
    ("sentinel:AADNonInteractiveUserSignInLogs", &["azure:signinlogs"]),
    ("sentinel:AuditLogs", &["azure:audit"]),
    ("sentinel:AzureActivity", &["azure:activity"]),
    ("sentinel:OfficeActivity", &["m365:unified"]),
    ("sentinel:Syslog", &["linux:syslog"]),
    ("sentinel:AWSCloudTrail", &["AWS:CloudTrail"]),
    ("sentinel:GCPAuditLogs", &["gcp:audit"]),
    ("sentinel:Device*", &[EDR]),
    ("sentinel:DnsEvents", &["dns:query"]),
    ("sentinel:CommonSecurityLog", &["NSM:Firewall"]),
];

/// Log-source names ttpc knows besides those of the built-in mapping: further names ATT&CK's
/// analytics use, and ATT&CK's data sources up to v17 (`Process`, `Network Traffic`), which
/// earlier models list as telemetry.
const OTHER_NAMES: &[&str] = &[
    "WinEventLog:Microsoft-Windows-CodeIntegrity/Operational",
    "auditd:EXECVE",
    "auditd:PATH",
    "auditd:FILE",
    "linux:osquery",
    "macos:osquery",
    "AWS:VPCFlowLogs",
    "AWS:CloudWatch",
    "m365:exchange",
    "m365:signinlogs",
    "kubernetes:apiserver",
    "docker:events",
    "esxi:hostd",
    "esxi:shell",
    "networkdevice:syslog",
    "ApplicationLog:WebServer",
    // ATT&CK data sources (v17 and earlier, and ATT&CK for ICS).
    "Active Directory",
    "Application Log",
    "Asset",
    "Certificate",
    "Cloud Service",
    "Cloud Storage",
    "Cluster",
    "Command",
    "Container",
    "Domain Name",
    "Drive",
    "Driver",
    "File",
    "Firewall",
    "Firmware",
    "Group",
    "Image",
    "Instance",
    "Internet Scan",
    "Kernel",
    "Logon Session",
    "Malware Repository",
    "Module",
    "Named Pipe",
    "Network Share",
    "Network Traffic",
    "Operational Databases",
    "Persona",
    "Pod",
    "Process",
    "Scheduled Job",
    "Script",
    "Sensor Health",
    "Service",
    "Snapshot",
    "User Account",
    "Volume",
    "WMI",
    "Web Credential",
    "Windows Registry",
];

/// Every log-source name ttpc knows without a model: the targets of [`BUILTIN`] and the other
/// names ATT&CK uses, sorted and unique.
pub fn builtin_names() -> BTreeSet<&'static str> {
    BUILTIN.iter().flat_map(|(_, names)| names.iter().copied()).chain(OTHER_NAMES.iter().copied()).collect()
}

/// Whether `text` matches `pattern`, ignoring ASCII case; `*` in the pattern matches any text.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    glob_match_lower(&pattern.to_ascii_lowercase(), &text.to_ascii_lowercase())
}

/// [`glob_match`] on text already lower-cased (no allocation: it runs for every declaration
/// against every pattern).
fn glob_match_lower(p: &str, t: &str) -> bool {
    let Some((first, rest)) = p.split_once('*') else {
        return p == t;
    };
    let (middle, last) = match rest.rsplit_once('*') {
        Some((middle, last)) => (Some(middle), last),
        None => (None, rest),
    };
    if !t.starts_with(first) || t.len() < first.len() + last.len() || !t.ends_with(last) {
        return false;
    }
    let mut inner = &t[first.len()..t.len() - last.len()];
    for part in middle.into_iter().flat_map(|m| m.split('*')) {
        match inner.find(part) {
            Some(i) => inner = &inner[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// Whether a descriptor is written with a prefix ttpc knows (otherwise it is a log-source name).
pub fn has_prefix(descriptor: &str) -> bool {
    PREFIXES.iter().any(|p| descriptor.len() >= p.len() && descriptor[..p.len()].eq_ignore_ascii_case(p))
}

/// The mapping in force for one model: the model's `telemetry_map` entries, then [`BUILTIN`].
#[derive(Debug, Clone)]
pub struct TelemetryMap {
    /// The model's entries, in model order: lower-cased pattern → names.
    model: Vec<(String, Vec<String>)>,
    /// The built-in patterns, lower-cased, in [`BUILTIN`] order.
    builtin: Vec<String>,
}

impl TelemetryMap {
    /// The built-in mapping extended by the model's entries.
    pub fn new<'a>(entries: impl IntoIterator<Item = (&'a String, &'a Vec<String>)>) -> TelemetryMap {
        TelemetryMap {
            model: entries.into_iter().map(|(k, v)| (k.trim().to_ascii_lowercase(), v.clone())).collect(),
            builtin: BUILTIN.iter().map(|(p, _)| p.to_ascii_lowercase()).collect(),
        }
    }

    /// The names a descriptor maps onto (any one suffices), or `None` when it maps to nothing
    /// known. A descriptor without a known prefix is a name itself.
    pub fn names(&self, descriptor: &str) -> Option<Vec<String>> {
        let lower = descriptor.trim().to_ascii_lowercase();
        if let Some((_, names)) = self.model.iter().find(|(pattern, _)| glob_match_lower(pattern, &lower)) {
            return Some(names.clone());
        }
        if !has_prefix(&lower) {
            // Every built-in pattern has a prefix: a bare name is a log-source name.
            return Some(vec![descriptor.trim().to_owned()]);
        }
        let builtin = self.builtin.iter().position(|pattern| glob_match_lower(pattern, &lower))?;
        Some(BUILTIN[builtin].1.iter().map(|n| (*n).to_owned()).collect())
    }
}

/// What a rule's declared telemetry means against what the model collects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// The rule declares no telemetry.
    Undeclared,
    /// At least one declared source is collected.
    Met,
    /// Every declared source maps to known names, none collected: the rule is blind. The names
    /// that would let it fire, any one of them, sorted.
    Missing(Vec<String>),
    /// No declared source is collected and some map to nothing known: these descriptors.
    Unknown(Vec<String>),
}

/// Judges a rule's declared telemetry against the collected names (compared ignoring case).
pub fn need(rule: &DetectionRule, map: &TelemetryMap, collected: &[String]) -> Need {
    if rule.telemetry.is_empty() {
        return Need::Undeclared;
    }
    let is_collected = |name: &str| collected.iter().any(|c| c.trim().eq_ignore_ascii_case(name));
    let mut missing: BTreeSet<String> = BTreeSet::new();
    let mut unknown: Vec<String> = Vec::new();
    for descriptor in &rule.telemetry {
        match map.names(descriptor) {
            Some(names) if names.iter().any(|n| is_collected(n)) => return Need::Met,
            Some(names) => missing.extend(names),
            None => unknown.push(descriptor.clone()),
        }
    }
    if unknown.is_empty() { Need::Missing(missing.into_iter().collect()) } else { Need::Unknown(unknown) }
}

/// The Sigma descriptor of a `logsource`: `sigma:` and the parts present, product, category,
/// service, joined by `/`, lower-cased; `None` when it names none.
pub fn sigma_descriptor(
    product: Option<&str>,
    category: Option<&str>,
    service: Option<&str>,
) -> Option<String> {
    let parts: Vec<String> = [product, category, service]
        .into_iter()
        .flatten()
        .map(|p| p.trim().to_ascii_lowercase())
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| format!("sigma:{}", parts.join("/")))
}

/// The `sourcetype=` values of a Splunk search, else its `index=` values, as descriptors
/// (`sourcetype:WinEventLog:Security`), in order of appearance, once each.
pub fn splunk_search_descriptors(search: &str) -> Vec<String> {
    let values = |key: &str| -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        // A set beside the list: a hostile search may name 100,000 indexes.
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        let lower = search.to_ascii_lowercase();
        let mut from = 0;
        while let Some(i) = lower[from..].find(key) {
            let start = from + i;
            from = start + key.len();
            // A whole word: `myindex=` is not `index=`.
            let before = lower[..start].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let rest = search[from..].trim_start_matches([' ', '=']);
            let skipped = search.len() - from - rest.len();
            if !search[from..from + skipped].contains('=') {
                continue;
            }
            let value: String = match rest.strip_prefix('"') {
                Some(quoted) => quoted.split('"').next().unwrap_or_default().to_owned(),
                None => rest
                    .chars()
                    .take_while(|c| !c.is_whitespace() && !matches!(c, ')' | '(' | '|' | ','))
                    .collect(),
            };
            let value = value.trim().to_owned();
            if !value.is_empty() && seen.insert(value.clone()) {
                found.push(value);
            }
        }
        found
    };
    let sourcetypes = values("sourcetype");
    if sourcetypes.is_empty() {
        values("index").into_iter().map(|v| format!("index:{v}")).collect()
    } else {
        sourcetypes.into_iter().map(|v| format!("sourcetype:{v}")).collect()
    }
}

/// One step of the severity scale every format's level is put on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Informational.
    Informational,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 5] =
        [Level::Informational, Level::Low, Level::Medium, Level::High, Level::Critical];

    /// The word used in models and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Informational => "informational",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }

    /// A level word as models write it (`info` and `moderate` too), ignoring case.
    pub fn parse(word: &str) -> Option<Level> {
        match word.trim().to_ascii_lowercase().as_str() {
            "informational" | "info" => Some(Level::Informational),
            "low" => Some(Level::Low),
            "medium" | "moderate" => Some(Level::Medium),
            "high" => Some(Level::High),
            "critical" => Some(Level::Critical),
            _ => None,
        }
    }

    /// A rule's level on the scale: its word (Sigma `level`, Elastic and Sentinel `severity`,
    /// ES `action.notable.param.severity`), a Splunk `alert.severity` number (1–2
    /// informational, 3 low, 4 medium, 5 high, 6 critical) or a risk score 0–100 (Splunk
    /// security_content: below 20 informational, below 40 low, below 60 medium, below 80 high,
    /// else critical). `None` when the rule has none or it is none of these.
    pub fn of(rule: &DetectionRule) -> Option<Level> {
        let written = rule.level.as_deref()?.trim();
        if let Some(level) = Level::parse(written) {
            return Some(level);
        }
        let number: u32 = written.parse().ok()?;
        Some(match rule.kind {
            crate::model::RuleKind::SplunkSavedsearches if number <= 6 => match number {
                0..=2 => Level::Informational,
                3 => Level::Low,
                4 => Level::Medium,
                5 => Level::High,
                _ => Level::Critical,
            },
            _ => match number {
                0..=19 => Level::Informational,
                20..=39 => Level::Low,
                40..=59 => Level::Medium,
                60..=79 => Level::High,
                _ => Level::Critical,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_prefixes_suffixes_and_middles() {
        assert!(glob_match("index:logs-endpoint.*", "index:logs-endpoint.events.process-*"));
        assert!(glob_match(
            "sourcetype:*sysmon*",
            "sourcetype:XmlWinEventLog:Microsoft-Windows-Sysmon/Operational"
        ));
        assert!(!glob_match("sigma:windows/file_*", "sigma:linux/file_event"));
        assert!(glob_match("SIGMA:Windows/Sysmon", "sigma:windows/sysmon"));
        assert!(!glob_match("a*a", "a"));
        assert!(glob_match("a*b*c*d", "aXbYcZd") && !glob_match("a*c*b", "aXbYc"));
        assert!(glob_match("index:*", "index:") && glob_match("*", ""));
    }

    #[test]
    fn model_entries_win_and_bare_names_are_names() {
        let entries = [(String::from("SIGMA:windows/sysmon"), vec![String::from("EDR:Telemetry")])];
        let map = TelemetryMap::new(entries.iter().map(|(k, v)| (k, v)));
        assert_eq!(map.names("sigma:windows/sysmon"), Some(vec![String::from("EDR:Telemetry")]));
        assert_eq!(
            map.names("sigma:windows/process_creation"),
            Some(vec![SYSMON.to_owned(), SECURITY.to_owned()])
        );
        assert_eq!(map.names("WinEventLog:Sysmon"), Some(vec![String::from("WinEventLog:Sysmon")]));
        assert_eq!(map.names("sigma:windows/bits-client"), None);
    }

    #[test]
    fn splunk_searches_name_sourcetypes_before_indexes() {
        assert_eq!(
            splunk_search_descriptors(r#"index=win sourcetype="XmlWinEventLog:Security" EventCode=4688"#),
            vec!["sourcetype:XmlWinEventLog:Security"]
        );
        assert_eq!(
            splunk_search_descriptors("search index = edr OR index=win | stats"),
            vec!["index:edr", "index:win"]
        );
        assert!(splunk_search_descriptors("| tstats count from datamodel=Endpoint").is_empty());
    }
}
