//! The crate's layers, lowest first, and the test that holds every hand-written module to them: a module may use
//! the modules of its own layer and of the layers before it, never one of a later layer. So there is no import
//! circle between layers, and a newcomer reads the crate bottom-up: what a value is, the operations, when to
//! retry, the error, the checks, the models, one attempt, the call loop, configuration, the handles, the fake.
//!
//! The test reads the sources (`src/**/*.rs` but `lib.rs`, the generated files and the binary), drops comments,
//! string and character literals and `#[cfg(test)]` items, and follows every `crate::…` and `super::…` path to
//! the module it names, through the re-exports of `lib.rs` (`crate::Workspace` is `raw::types::Workspace`).
//! It fails naming the file, the line, both modules and both layers. A new module fails it until it is given a
//! layer, and a layer entry that names no module fails it too: when modules move, edit [`LAYERS`].
//!
//! Two places differ from the order first written in issue 17 (schema < operation < error < validate < retry
//! < client < config < handles < fake), where the code's dependencies say otherwise:
//! - **The retry modules sit below `error`.** `ApiError::rate_limit` holds a `retries::hints::RateLimitInfo`,
//!   the reading of the rate-limit headers, so `error` uses `retries`; and no retry module uses
//!   `Error`: a policy decides on plain facts (the method, the status, whether anything was sent, the headers),
//!   which the client derives from the attempt. Putting them above `error` would need that type moved out of
//!   `retries`, for no gain.
//! - **`requests` and `enums` sit below `transport` and `client`, not among the handles.** With `raw` (the
//!   generated client) they are the models: the raw client takes the request builders as its bodies and the
//!   enums as fields, `transport` installs its hooks on the raw client and sends the requests its builders make,
//!   and `client` runs the calls. The handles use
//!   them; nothing in them uses a handle.
//!
//! The handles are split in four layers so that their old circles cannot come back (`workspaces` ↔ `provision`,
//! `members` → `workspaces`): the parts every handle uses, then the handles of one workspace, then
//! `Workspaces`, then provisioning, which runs on `Workspaces`.
//!
//! Not checked: the generated modules (`tables`, `raw`), whose layering is the generator's. They are placed in
//! [`LAYERS`] so that hand-written modules using them are checked. (The generated operation table names
//! `crate::validate::{Schema, Kind, Bound}`, which `validate` re-exports from `schema`: paths through a later
//! layer that resolve to the leaf.)

use std::collections::BTreeMap;
use std::path::Path;

/// The layers, lowest first: a name, and the modules in it. A module is a file `src/<m>.rs`, a directory
/// `src/<m>/` (everything under it), or a part of a module (`tables::operations`); the longest entry that is a
/// prefix of a path wins.
const LAYERS: &[Layer] = &[
    ("schema (what the spec states about one value)", &["schema", "tables::limits"]),
    ("operation (the operation table)", &["operation", "tables::operations"]),
    ("retries (when to retry, how long to wait, the rate-limit view)", &["retries"]),
    ("error", &["error"]),
    ("validate", &["validate"]),
    (
        "models (request builders, open enums, secrets, the generated client and its path encoding)",
        &["enums", "requests", "secret", "tables::enums", "tables::requests", "tables::schema", "raw", "path"],
    ),
    ("transport (one attempt, and its TLS)", &["transport", "tls"]),
    ("client (the call loop, and the generated checked call of each operation)", &["client", "calls"]),
    ("config (the builder)", &["config"]),
    ("handle parts", &["pagination", "bulk"]),
    ("handles of one workspace, and of API keys", &["members", "budgets", "keys", "guardrail"]),
    ("workspaces", &["workspaces"]),
    ("provision", &["provision"]),
    ("fake", &["fake", "tables::fake", "tables::shapes"]),
];

/// A layer: its name, and the modules in it.
type Layer = (&'static str, &'static [&'static str]);

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Punct(char),
}

/// The code of a Rust source as tokens, each with its line: comments, string and character literals dropped.
/// (Rough on purpose: enough for paths, braces and attributes; not a Rust lexer.)
fn tokens(source: &str) -> Vec<(Token, usize)> {
    let chars: Vec<char> = source.chars().collect();
    let (mut out, mut line, mut i) = (Vec::new(), 1, 0);
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        let start_line = line;
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            loop {
                match (at(i), at(i + 1)) {
                    ('\0', _) => break,
                    ('/', '*') => (depth, i) = (depth + 1, i + 2),
                    ('*', '/') => (depth, i) = (depth - 1, i + 2),
                    (c, _) => (line, i) = (line + usize::from(c == '\n'), i + 1),
                }
                if depth == 0 {
                    break;
                }
            }
        } else if let Some((raw, hashes, body)) = string_start(&chars, i) {
            // A string: "…" with escapes, b"…", or a raw string r"…", r#"…"#, br"…".
            i = body;
            while i < chars.len() {
                match chars[i] {
                    '\\' if !raw => (line, i) = (line + usize::from(at(i + 1) == '\n'), i + 2),
                    '"' if chars[i + 1..].iter().take(hashes).filter(|&&h| h == '#').count() == hashes => {
                        i += 1 + hashes;
                        break;
                    }
                    ch => (line, i) = (line + usize::from(ch == '\n'), i + 1),
                }
            }
        } else if c == '\'' && (at(i + 1) == '\\' || at(i + 2) == '\'') {
            // A character literal ('x', '\n', '\'', '\u{7f}'); a lifetime ('a) is left as a punct and an ident.
            i += if at(i + 1) == '\\' { 3 } else { 2 };
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((Token::Ident(chars[start..i].iter().collect()), start_line));
        } else if c == ':' && at(i + 1) == ':' {
            out.push((Token::PathSep, line));
            i += 2;
        } else {
            out.push((Token::Punct(c), line));
            i += 1;
        }
    }
    out
}

/// Where a string literal starting at `chars[i]` has its text: whether it is raw, its `#`s, and its first
/// character's index. `None` when no string starts there (`r#ident` is a raw identifier, not a string).
fn string_start(chars: &[char], i: usize) -> Option<(bool, usize, usize)> {
    let mut j = i;
    if matches!(chars.get(j), Some('b' | 'c')) {
        j += 1;
    }
    let raw = chars.get(j) == Some(&'r');
    j += usize::from(raw);
    let hashes = if raw { chars[j.min(chars.len())..].iter().take_while(|&&h| h == '#').count() } else { 0 };
    j += hashes;
    (chars.get(j) == Some(&'"')).then_some((raw, hashes, j + 1))
}

fn is(token: Option<&(Token, usize)>, punct: char) -> bool {
    matches!(token, Some((Token::Punct(p), _)) if *p == punct)
}

fn ident(token: Option<&(Token, usize)>) -> Option<&str> {
    match token {
        Some((Token::Ident(s), _)) => Some(s),
        _ => None,
    }
}

/// The tokens without the items marked `#[cfg(test)]` (a test module, a test-only import or impl).
fn without_tests(tokens: Vec<(Token, usize)>) -> Vec<(Token, usize)> {
    const CFG_TEST: [&str; 7] = ["#", "[", "cfg", "(", "test", ")", "]"];
    let text = |t: &(Token, usize)| match &t.0 {
        Token::Ident(s) => s.clone(),
        Token::PathSep => "::".into(),
        Token::Punct(c) => c.to_string(),
    };
    let (mut out, mut i) = (Vec::new(), 0);
    while i < tokens.len() {
        let attribute = tokens.get(i..i + CFG_TEST.len()).is_some_and(|w| w.iter().map(text).eq(CFG_TEST));
        if !attribute {
            out.push(tokens[i].clone());
            i += 1;
            continue;
        }
        // Skip the item: up to its `;` or the `}` closing its first `{`, whatever brackets it holds on the way.
        i += CFG_TEST.len();
        let mut depth = 0i32;
        while let Some((token, _)) = tokens.get(i) {
            i += 1;
            match token {
                Token::Punct('{' | '(' | '[') => depth += 1,
                Token::Punct(')' | ']') => depth -= 1,
                Token::Punct('}') => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                Token::Punct(';') if depth == 0 => break,
                _ => {}
            }
        }
    }
    out
}

/// The paths of a use tree or an expression path starting at `tokens[*i]` (after `crate::` or `super::`):
/// `a::b`, `a::{b, c::d}`, `a::*`, `a::b as c`. Each is its segments after `prefix`, and the name it binds (`c`
/// for `a::b as c`, `b` for `a::b`, none for a glob).
fn paths(tokens: &[(Token, usize)], i: &mut usize, prefix: Vec<String>, out: &mut Vec<(Vec<String>, Option<String>)>) {
    let mut path = prefix;
    loop {
        if is(tokens.get(*i), '{') {
            *i += 1;
            while *i < tokens.len() && !is(tokens.get(*i), '}') {
                paths(tokens, i, path.clone(), out);
                if is(tokens.get(*i), ',') {
                    *i += 1;
                }
            }
            *i += 1;
            return;
        }
        if is(tokens.get(*i), '*') {
            *i += 1;
            out.push((path, None));
            return;
        }
        let Some(segment) = ident(tokens.get(*i)) else { break };
        path.push(segment.to_owned());
        *i += 1;
        if tokens.get(*i).map(|t| &t.0) != Some(&Token::PathSep) {
            break;
        }
        *i += 1;
    }
    let mut name = path.last().cloned();
    if ident(tokens.get(*i)) == Some("as") {
        name = ident(tokens.get(*i + 1)).map(str::to_owned);
        *i += 2;
    }
    out.push((path, name));
}

/// Every `crate::…` and `super::…` path of a source, made absolute (segments from the crate root, `self`
/// dropped), with its line. `module` is the file's own module path.
fn uses(source: &str, module: &[String]) -> Vec<(Vec<String>, usize)> {
    let tokens = without_tests(tokens(source));
    let (mut out, mut i, mut depth) = (Vec::new(), 0, 0usize);
    // Inline modules open at this point (`mod sealed { … }`), and the brace depth each opened at.
    let mut inline: Vec<(String, usize)> = Vec::new();
    while i < tokens.len() {
        match &tokens[i].0 {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            Token::Ident(kw) if kw == "mod" && is(tokens.get(i + 2), '{') => {
                inline.push((ident(tokens.get(i + 1)).unwrap_or_default().to_owned(), depth));
            }
            Token::Ident(root)
                if (root == "crate" || root == "super")
                    && tokens.get(i + 1).map(|t| &t.0) == Some(&Token::PathSep)
                    && !is(tokens.get(i.wrapping_sub(1)), '$') =>
            {
                let line = tokens[i].1;
                let mut here: Vec<String> =
                    module.iter().cloned().chain(inline.iter().map(|(m, _)| m.clone())).collect();
                if root == "crate" {
                    here.clear();
                    i += 2;
                } else {
                    while ident(tokens.get(i)) == Some("super")
                        && tokens.get(i + 1).map(|t| &t.0) == Some(&Token::PathSep)
                    {
                        here.pop();
                        i += 2;
                    }
                }
                let mut found = Vec::new();
                paths(&tokens, &mut i, here, &mut found);
                out.extend(found.into_iter().map(|(p, _)| (p.into_iter().filter(|s| s != "self").collect(), line)));
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// What `lib.rs` declares: its modules (but test-only ones), and the root names it re-exports, each to the path
/// it stands for (`Workspace` → `raw::types::Workspace`).
fn root(lib: &str) -> (Vec<String>, BTreeMap<String, Vec<String>>) {
    let tokens = without_tests(tokens(lib));
    let (mut modules, mut names) = (Vec::new(), BTreeMap::new());
    for (i, (token, _)) in tokens.iter().enumerate() {
        let next = ident(tokens.get(i + 1));
        match token {
            Token::Ident(kw) if kw == "mod" && is(tokens.get(i + 2), ';') => modules.extend(next.map(str::to_owned)),
            Token::Ident(kw) if kw == "use" && i > 0 && ident(tokens.get(i - 1)) == Some("pub") => {
                let mut found = Vec::new();
                paths(&tokens, &mut (i + 1), Vec::new(), &mut found);
                // A glob (`pub use a::*`) binds names this test cannot see: a use of one fails, asking for its module.
                names.extend(found.into_iter().filter_map(|(path, name)| Some((name?, path))));
            }
            Token::Ident(kw) if kw == "type" && is(tokens.get(i + 2), '=') => {
                let mut found = Vec::new();
                paths(&tokens, &mut (i + 3), Vec::new(), &mut found);
                if let (Some(name), Some((path, _))) = (next, found.pop()) {
                    names.insert(name.to_owned(), path);
                }
            }
            _ => {}
        }
    }
    (modules, names)
}

/// The layer of a path (from the crate root), and the layer entry that holds it.
fn layer_of(layers: &[Layer], path: &[String]) -> Option<(usize, &'static str)> {
    let joined = path.join("::");
    let mut best: Option<(usize, &'static str)> = None;
    for (n, (_, entries)) in layers.iter().enumerate() {
        for entry in entries.iter() {
            let inside = joined == *entry || joined.starts_with(&format!("{entry}::"));
            if inside && best.is_none_or(|(_, b)| entry.len() > b.len()) {
                best = Some((n, entry));
            }
        }
    }
    best
}

/// Every break of the layering in these sources (`path` relative to `src/`, and its text), `lib` being `lib.rs`.
fn check(layers: &[Layer], lib: &str, files: &[(String, String)]) -> Vec<String> {
    let (modules, names) = root(lib);
    let mut problems = Vec::new();
    for module in &modules {
        let placed = layers.iter().flat_map(|(_, e)| e.iter()).any(|e| e.split("::").next() == Some(module.as_str()));
        if !placed {
            problems.push(format!("lib.rs declares `mod {module}`, which no layer holds: add it to LAYERS"));
        }
    }
    for entry in layers.iter().flat_map(|(_, e)| e.iter()) {
        if !modules.iter().any(|m| entry.split("::").next() == Some(m.as_str())) {
            problems.push(format!("LAYERS holds `{entry}`, which lib.rs does not declare: remove or rename it"));
        }
    }
    for (file, source) in files {
        let module: Vec<String> =
            file.trim_end_matches(".rs").trim_end_matches("/mod").split('/').map(str::to_owned).collect();
        if !modules.contains(&module[0]) {
            continue; // Not a module of the library (a test-only one).
        }
        let Some((from, from_entry)) = layer_of(layers, &module) else { continue };
        for (path, line) in uses(source, &module) {
            let resolved = match path.first() {
                Some(first) if modules.contains(first) => Some(path.clone()),
                Some(first) => names.get(first).map(|to| to.iter().chain(&path[1..]).cloned().collect()),
                None => None,
            };
            let shown = format!("crate::{}", path.join("::"));
            match resolved.as_deref().and_then(|p| layer_of(layers, p)) {
                Some((to, to_entry)) if to > from => problems.push(format!(
                    "src/{file}:{line}: `{shown}`: `{from_entry}` (layer {from}, {}) uses `{to_entry}` (layer {to}, \
                     {}), a later layer; a module may use only its own layer and the ones before it",
                    layers[from].0, layers[to].0
                )),
                Some(_) => {}
                None => problems.push(format!(
                    "src/{file}:{line}: `{shown}` names no module of LAYERS nor a re-export of lib.rs: \
                     import it from its module"
                )),
            }
        }
    }
    problems
}

/// The library's sources but `lib.rs`, the generated files and the binary: (path under `src/`, text).
fn sources(dir: &Path, under: &str, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).expect("src/ is readable").map(|e| e.expect("an entry").path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).expect("a UTF-8 file name").to_owned();
        let relative = if under.is_empty() { name.clone() } else { format!("{under}/{name}") };
        if path.is_dir() {
            if !matches!(relative.as_str(), "generated" | "bin") {
                sources(&path, &relative, out);
            }
        } else if name.ends_with(".rs") && relative != "lib.rs" {
            out.push((relative, std::fs::read_to_string(&path).expect("a source is readable")));
        }
    }
}

#[test]
fn every_module_uses_only_its_own_layer_and_the_ones_before_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs is readable");
    let mut files = Vec::new();
    sources(&src, "", &mut files);
    assert!(files.iter().any(|(f, _)| f == "fake/http.rs"), "the sources under directories are read");
    let problems = check(LAYERS, &lib, &files);
    assert!(problems.is_empty(), "the layering is broken:\n{}", problems.join("\n"));
}

mod checker {
    //! The checker itself, on small made-up crates: it must fail where a real break would be.
    use super::*;

    const TWO: &[Layer] = &[("low", &["low", "gen::low"]), ("high", &["high", "gen::high"])];
    const LIB: &str = "mod low;\nmod high;\n#[path = \"g.rs\"]\nmod gen;\n#[cfg(test)]\nmod layering;\n\
                       pub use high::{Top, Other as Renamed};\npub type Alias = gen::high::Thing;\n";

    fn run(file: &str, source: &str) -> Vec<String> {
        check(TWO, LIB, &[(file.to_owned(), source.to_owned())])
    }

    #[test]
    fn a_lower_module_using_a_later_layer_fails_naming_the_file_the_line_and_the_rule() {
        let problems = run("low.rs", "use std::fmt;\n\nuse crate::high::Thing;\n");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            problems[0],
            "src/low.rs:3: `crate::high::Thing`: `low` (layer 0, low) uses `high` (layer 1, high), a later layer; \
             a module may use only its own layer and the ones before it"
        );
        assert_eq!(run("high.rs", "use crate::low::Thing;\nfn f() { crate::low::g() }\n"), Vec::<String>::new());
    }

    #[test]
    fn every_form_of_path_is_followed() {
        let source = "use crate::{low::A, high::{B, c::D}};\n\
                      fn f() -> crate::Top { super::high::e() }\n\
                      type T = crate::Renamed;\n\
                      type U = crate::Alias;\n\
                      use crate::gen::high::*;\n\
                      use crate::gen::low::X;\n\
                      mod inner { use super::super::high as h; }\n";
        let lines: Vec<String> =
            run("low.rs", source).iter().map(|p| p.split(": ").next().unwrap().to_owned()).collect();
        assert_eq!(
            lines,
            [
                "src/low.rs:1",
                "src/low.rs:1",
                "src/low.rs:2",
                "src/low.rs:2",
                "src/low.rs:3",
                "src/low.rs:4",
                "src/low.rs:5",
                "src/low.rs:7"
            ]
        );
        // `super::` from a file of a directory is that directory's module; `super::super::` the crate root.
        assert_eq!(run("low/part.rs", "use super::other;\n").len(), 0);
        assert_eq!(run("low/part.rs", "use super::super::high;\n").len(), 1);
    }

    #[test]
    fn comments_literals_and_test_items_are_not_uses() {
        let source = "// crate::high\n/* crate::high /* nested */ crate::high */\n/// [x](crate::high)\n\
                      const S: &str = \"crate::high::{\";\nconst R: &str = r#\"crate::high\"#;\nconst C: char = '{';\n\
                      fn f<'a>(x: &'a str) {}\n\
                      #[cfg(test)]\nmod tests { use crate::high; fn g() { crate::high::h() } }\n\
                      #[cfg(test)]\nuse crate::high::Thing;\n\
                      macro_rules! m { () => { $crate::high::x() } }\n";
        assert_eq!(run("low.rs", source), Vec::<String>::new());
        // What follows a test item is still read.
        assert_eq!(run("low.rs", &format!("{source}use crate::high::Y;\n")).len(), 1);
    }

    #[test]
    fn unplaced_modules_stale_entries_and_unknown_names_fail() {
        let lib = format!("{LIB}mod newcomer;\n");
        let problems = check(TWO, &lib, &[]);
        assert_eq!(problems, ["lib.rs declares `mod newcomer`, which no layer holds: add it to LAYERS"]);
        let stale: &[Layer] = &[("low", &["low", "gen::low", "moved_away"]), TWO[1]];
        assert_eq!(
            check(stale, LIB, &[]),
            ["LAYERS holds `moved_away`, which lib.rs does not declare: remove or rename it"]
        );
        let problems = run("high.rs", "use crate::Nowhere;\n");
        assert!(problems[0].starts_with("src/high.rs:1: `crate::Nowhere` names no module of LAYERS"), "{problems:?}");
    }
}
