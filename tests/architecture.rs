//! The crate's shape, checked: no dependency cycle between source files.
//!
//! Each file of `src/` is a node; a file depends on another when it names one of its items
//! through `crate::…`, `super::…` or (in a module's own file) a child module's path. A
//! `mod child;` declaration alone is not a dependency. Layers only work downwards, so any
//! cycle is a helper in the wrong place.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::root;

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a source file: `src/model/walk.rs` → `["model", "walk"]`,
/// `src/model/mod.rs` → `["model"]`, `src/lib.rs` → `[]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The paths a line of code names, absolute from the crate root, for `crate::`, `super::`
/// and `self`-relative child paths in `use` lines. Braced groups are expanded one level.
fn named_paths(line: &str, module: &[String], inline: &[String], is_module_file: bool, children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let words = |text: &str| -> Vec<String> {
        text.split("::").map(|s| s.trim().to_string()).take_while(|s| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_')).collect()
    };
    let mut expand = |base: Vec<String>, rest: &str| {
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            for item in inner.split(',') {
                let mut path = base.clone();
                path.extend(words(item.trim()));
                out.push(path);
            }
        } else {
            let mut path = base;
            path.extend(words(rest));
            out.push(path);
        }
    };
    let mut search = line;
    while let Some(at) = search.find("crate::") {
        let before = search[..at].chars().last();
        let rest = &search[at + "crate::".len()..];
        if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            expand(Vec::new(), rest);
        }
        search = rest;
    }
    // `super::` goes up one module from where it is written: the file's module, or an
    // inline module (`mod tests { … }`) inside the file.
    let mut search = line;
    while let Some(at) = search.find("super::") {
        let before = search[..at].chars().last();
        let mut rest = &search[at + "super::".len()..];
        if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            let mut base: Vec<String> = module.iter().chain(inline).cloned().collect();
            base.pop();
            while let Some(more) = rest.strip_prefix("super::") {
                base.pop();
                rest = more;
            }
            expand(base, rest);
        }
        search = rest;
    }
    let trimmed = line.trim_start();
    let use_path = trimmed.strip_prefix("pub use ").or_else(|| trimmed.strip_prefix("pub(crate) use ")).or_else(|| trimmed.strip_prefix("use "));
    if let Some(path) = use_path
        && is_module_file
    {
        let first = path.split("::").next().unwrap_or("").trim();
        if children.contains(first) {
            expand(module.to_vec(), path);
        }
    }
    out
}

#[test]
fn no_dependency_cycle_between_source_files() {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.retain(|f| !f.ends_with("main.rs"));
    let modules: BTreeMap<Vec<String>, PathBuf> = files.iter().map(|f| (module_of(&src, f), f.clone())).collect();
    let mut edges: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    for (module, file) in &modules {
        let is_module_file = file.ends_with("mod.rs") || file.ends_with("lib.rs");
        let children: BTreeSet<String> =
            modules.keys().filter(|m| m.len() == module.len() + 1 && m.starts_with(module)).map(|m| m[module.len()].clone()).collect();
        let text = std::fs::read_to_string(file).unwrap();
        let targets = edges.entry(file.clone()).or_default();
        // Inline modules open at the file's brace depth: (name, depth before it opened).
        let mut inline: Vec<(String, i64)> = Vec::new();
        let mut depth = 0i64;
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            let trimmed = code.trim_start().trim_start_matches("pub ").trim_start_matches("pub(crate) ");
            if let Some(name) = trimmed.strip_prefix("mod ").and_then(|rest| rest.strip_suffix('{')) {
                inline.push((name.trim().to_string(), depth));
            }
            let names: Vec<String> = inline.iter().map(|(name, _)| name.clone()).collect();
            depth += code.matches('{').count() as i64 - code.matches('}').count() as i64;
            while inline.last().is_some_and(|(_, opened)| depth <= *opened) {
                inline.pop();
            }
            for path in named_paths(code, module, &names, is_module_file, &children) {
                // The longest prefix of the path that is a module with a file of its own.
                let target = (0..=path.len()).rev().find_map(|n| modules.get(&path[..n]));
                if let Some(target) = target
                    && target != file
                    && !path.is_empty()
                {
                    targets.insert(target.clone());
                }
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        node: &PathBuf,
        edges: &BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        state: &mut BTreeMap<PathBuf, u8>,
        stack: &mut Vec<PathBuf>,
    ) -> Option<Vec<PathBuf>> {
        state.insert(node.clone(), 1);
        stack.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next) {
                Some(1) => {
                    let start = stack.iter().position(|n| n == next).unwrap();
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(cycle) = visit(next, edges, state, stack) {
                        return Some(cycle);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    let mut cycles = Vec::new();
    for node in edges.keys() {
        if !state.contains_key(node)
            && let Some(cycle) = visit(node, &edges, &mut state, &mut Vec::new())
        {
            cycles.push(cycle.iter().map(|p| p.strip_prefix(&src).unwrap().display().to_string()).collect::<Vec<_>>().join(" → "));
            // Report each cycle once; go on from a clean state for the nodes it left open.
            state.values_mut().filter(|s| **s == 1).for_each(|s| *s = 2);
        }
    }
    assert!(cycles.is_empty(), "dependency cycles between source files:\n{}", cycles.join("\n"));
    // The check sees the dependencies it is meant to: the writers use the model.
    assert!(edges[&src.join("epub/sections.rs")].contains(&src.join("model/mod.rs")));
    assert!(edges[&src.join("charts/bars.rs")].contains(&src.join("charts/spec.rs")));
}
