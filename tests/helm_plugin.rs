//! The helm plugin in `helm-plugin/`: its downloader is called exactly as helm
//! calls it (`CMD certFile keyFile caFile URL`, from the user's working
//! directory, with the `HELM_PLUGIN_*` environment helm sets) and must print
//! the decrypted document; both plugin.yaml layouts (Helm 3 `downloaders:`,
//! Helm 4 `getter/v1`) must point at it for the `sops` protocol.

mod common;

use common::{Sandbox, Tool};
use sops_rs::store::{Format, StoreOptions, for_format};
use sops_rs::tree::{Map, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn plugin_dir() -> PathBuf {
    repo().join("helm-plugin")
}

fn demo_sandbox() -> Sandbox {
    let mut sb = Sandbox::new();
    sb.copy_in(repo().join("examples/secrets.yaml"), "secrets.yaml");
    sb.copy_in(repo().join("examples/values.yaml"), "values.yaml");
    sb.set_env(
        "SOPS_AGE_KEY_FILE",
        repo().join("examples/demo.agekey").display().to_string(),
    );
    sb.set_env("SOPS_RS_BIN", common::sops_rs_path().display().to_string());
    sb
}

/// Runs the getter the way helm does: the command joined to the plugin dir,
/// the three TLS file arguments (empty when unset), then the URL.
fn run_getter(sb: &Sandbox, plugin: &Path, command: &str, url: &str) -> std::process::Output {
    let mut cmd = Command::new(plugin.join(command));
    cmd.env_clear();
    for (k, v) in sandbox_env(sb) {
        cmd.env(k, v);
    }
    cmd.env("HELM_PLUGIN_DIR", plugin)
        .env("HELM_PLUGIN_NAME", "sops-rs")
        .env("HELM_PLUGIN_USERNAME", "")
        .env("HELM_PLUGIN_PASSWORD", "")
        .env("HELM_PLUGIN_PASS_CREDENTIALS_ALL", "false")
        .env("HELM_BIN", "helm")
        .current_dir(sb.path())
        .args(["", "", "", url]);
    cmd.output().unwrap()
}

fn sandbox_env(sb: &Sandbox) -> Vec<(String, String)> {
    // The sandbox's command carries its environment; copy it for a foreign program.
    sb.command(Tool::SopsRs)
        .get_envs()
        .filter_map(|(k, v)| {
            Some((
                k.to_string_lossy().into_owned(),
                v?.to_string_lossy().into_owned(),
            ))
        })
        .collect()
}

fn load_yaml(path: &Path) -> Map {
    let store = for_format(Format::Yaml, StoreOptions::default()).unwrap();
    let tree = store.load_plain(&common::read(path)).unwrap();
    tree.branches.into_iter().next().unwrap()
}

fn str_at<'a>(map: &'a Map, key: &str) -> &'a str {
    match map.get(key) {
        Some(Value::Str(s)) => s.as_str(),
        other => panic!(
            "{key}: not a string: {}",
            other.map_or("absent", Value::kind)
        ),
    }
}

fn map_at<'a>(map: &'a Map, key: &str) -> &'a Map {
    match map.get(key) {
        Some(Value::Map(m)) => m,
        _ => panic!("{key}: not a map"),
    }
}

fn first_map(value: Option<&Value>) -> &Map {
    match value {
        Some(Value::List(items)) => match items.first() {
            Some(Value::Map(m)) => m,
            _ => panic!("first item is not a map"),
        },
        _ => panic!("not a list"),
    }
}

fn protocols(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::List(items)) => items
            .iter()
            .map(|v| match v {
                Value::Str(s) => s.to_string(),
                _ => panic!("protocol is not a string"),
            })
            .collect(),
        _ => panic!("protocols is not a list"),
    }
}

#[test]
fn helm3_plugin_yaml_declares_the_sops_downloader() {
    let meta = load_yaml(&plugin_dir().join("plugin.yaml"));
    assert_eq!(str_at(&meta, "name"), "sops-rs");
    assert!(
        meta.get("apiVersion").is_none(),
        "Helm 3 layout has no apiVersion"
    );
    let downloader = first_map(meta.get("downloaders"));
    assert_eq!(protocols(downloader.get("protocols")), ["sops"]);
    let command = str_at(downloader, "command");
    assert!(plugin_dir().join(command).is_file(), "{command}");
}

#[test]
fn helm4_plugin_yaml_is_a_getter_for_sops() {
    let dir = plugin_dir().join("helm4");
    let meta = load_yaml(&dir.join("plugin.yaml"));
    assert_eq!(str_at(&meta, "apiVersion"), "v1");
    assert_eq!(str_at(&meta, "type"), "getter/v1");
    assert_eq!(str_at(&meta, "runtime"), "subprocess");
    assert_eq!(
        protocols(map_at(&meta, "config").get("protocols")),
        ["sops"]
    );
    let pc = first_map(map_at(&meta, "runtimeConfig").get("protocolCommands"));
    assert_eq!(protocols(pc.get("protocols")), ["sops"]);
    let command = str_at(first_map(pc.get("platformCommand")), "command");
    // Helm 4 joins the command to the plugin dir; the script is shared with the Helm 3 layout.
    let script = dir.join(command);
    assert!(script.is_file(), "{}", script.display());
    assert_eq!(
        std::fs::canonicalize(&script).unwrap(),
        std::fs::canonicalize(plugin_dir().join("scripts/sops-getter.sh")).unwrap()
    );
}

#[test]
fn the_downloader_prints_the_decrypted_document_for_relative_and_absolute_urls() {
    let sb = demo_sandbox();
    let expected = sb
        .run(Tool::SopsRs, ["values", "secrets.yaml"])
        .success()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&expected).contains("demo-Adm1n-pa55word"));
    let abs = format!("sops://{}", sb.path().join("secrets.yaml").display());
    for (plugin, command) in [
        (plugin_dir(), "scripts/sops-getter.sh"),
        (plugin_dir().join("helm4"), "scripts/sops-getter.sh"),
    ] {
        for url in ["sops://secrets.yaml", abs.as_str()] {
            let out = run_getter(&sb, &plugin, command, url);
            assert!(
                out.status.success(),
                "{url}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(out.stdout, expected, "{url}");
        }
    }
    // Nothing was written next to the sources (helm-secrets leaves `.dec` files).
    assert_eq!(sb.listing(), ["home", "secrets.yaml", "values.yaml"]);
}

#[test]
fn the_downloader_rejects_other_urls_and_missing_arguments() {
    let sb = demo_sandbox();
    let out = run_getter(
        &sb,
        &plugin_dir(),
        "scripts/sops-getter.sh",
        "https://x/v.yaml",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let out = Command::new(plugin_dir().join("scripts/sops-getter.sh"))
        .arg("sops://secrets.yaml")
        .current_dir(sb.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_downloader_fails_without_the_key_and_prints_nothing() {
    let mut sb = demo_sandbox();
    sb.set_env(
        "SOPS_AGE_KEY_FILE",
        common::age_key(1).display().to_string(),
    );
    let out = run_getter(
        &sb,
        &plugin_dir(),
        "scripts/sops-getter.sh",
        "sops://secrets.yaml",
    );
    assert_eq!(out.status.code(), Some(128));
    assert!(out.stdout.is_empty());
}

#[test]
fn the_plugin_command_runs_the_wrapper_with_helms_own_binary() {
    let sb = demo_sandbox();
    let fake = sb.write(
        "bin/fake-helm",
        "#!/bin/sh\nfor a in \"$@\"; do echo \"ARG $a\"; done\n[ -p \"$3\" ] && echo FIFO && cat \"$3\"\n",
    );
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut cmd = Command::new(plugin_dir().join("scripts/helm-wrapper.sh"));
    cmd.env_clear();
    for (k, v) in sandbox_env(&sb) {
        cmd.env(k, v);
    }
    let out = cmd
        .env("HELM_BIN", &fake)
        .env("HELM_PLUGIN_DIR", plugin_dir())
        .current_dir(sb.path())
        .args(["template", "-f", "secrets.yaml"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.starts_with("ARG template\nARG -f\n"), "{text}");
    assert!(
        text.contains("FIFO\n") && text.contains("demo-Adm1n-pa55word"),
        "{text}"
    );
}
