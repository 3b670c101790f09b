//! The binary starts and documents every command. (Having an integration test here also makes
//! a plain `cargo test` build `target/debug/hookloupe`, which tests/it drives.)

use std::process::Command;

#[test]
fn help_lists_every_command_and_version_matches() {
    let bin = env!("CARGO_BIN_EXE_hookloupe");
    let out = Command::new(bin).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for cmd in ["listen", "list", "show", "delete", "clear", "endpoint", "verify", "sign", "diff", "retention"] {
        assert!(help.contains(cmd), "--help lacks {cmd}:\n{help}");
    }
    let out = Command::new(bin).arg("--version").output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), format!("hookloupe {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_with_clap_code() {
    let out = Command::new(env!("CARGO_BIN_EXE_hookloupe")).arg("no-such-command").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-command"));
}
