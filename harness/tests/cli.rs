//! The `contend` binary as a user runs it.

mod common;

use common::contend;

#[test]
fn list_names_every_strategy_with_a_summary() {
    let output = contend(&["list"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for name in contend_strategies::pool::names() {
        let line = text
            .lines()
            .find(|line| line.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no line for {name} in:\n{text}"));
        assert!(line.split_whitespace().count() > 2, "{name} has no summary");
    }
    assert!(text.contains("discard-oldest"));
}

#[test]
fn an_unknown_command_exits_with_code_2() {
    let output = contend(&["frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn list_names_the_cache_and_fanin_variants_and_the_new_scenarios() {
    let output = contend(&["list"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    use contend::kinds::Kind;
    for name in Kind::Cache
        .strategies()
        .iter()
        .chain(&Kind::FanIn.strategies())
    {
        assert!(
            text.lines()
                .any(|line| line.split_whitespace().next() == Some(name)),
            "no line for {name} in:\n{text}"
        );
    }
    assert!(text.contains("cache strategies:"), "{text}");
    assert!(text.contains("fanin strategies:"), "{text}");
    assert!(text.contains("read-mostly-cache     [cache]"), "{text}");
    assert!(text.contains("fanin-producers       [fanin]"), "{text}");
}
