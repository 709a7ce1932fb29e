//! `completion`: sops prints a script for bash and zsh (and help otherwise); sops-rs
//! prints its own static scripts, which the shells must accept.

mod common;

use common::{Sandbox, Tool};

#[test]
fn scripts_for_each_shell() {
    let sb = Sandbox::new();
    for shell in ["bash", "zsh"] {
        let (ours, theirs) = sb.run_both(&["completion", shell]);
        theirs.success();
        ours.success();
        assert!(ours.stdout_text().contains("sops-rs"), "{shell}");
    }
    let bash = sb.run(Tool::SopsRs, ["completion", "bash"]);
    let path = sb.write("c.bash", &bash.stdout);
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let fish = sb.run(Tool::SopsRs, ["completion", "fish"]);
    fish.success();
    assert!(fish.stdout_text().starts_with("# fish completion"));
    // No shell: the help, exit 0, as sops.
    let (ours, theirs) = sb.run_both(&["completion"]);
    assert_eq!((ours.code, theirs.code), (0, 0));
}
