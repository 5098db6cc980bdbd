//! Keeping a generated file in step with its source, after rust-analyzer's `ensure_file_contents`.

use std::path::Path;

/// What [`ensure_file_contents`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The file already had exactly these contents.
    Fresh,
    /// The file was (re)written.
    Written,
}

/// Makes `path` hold exactly `contents`. In check mode nothing is written: a stale or missing file is an error
/// whose message holds a readable diff and the command that fixes it.
///
/// Line endings do not count: a checkout that turned `\n` into `\r\n` (git's `core.autocrlf` on Windows) is fresh.
pub fn ensure_file_contents(path: &Path, contents: &str, check: bool) -> Result<Outcome, String> {
    let current = std::fs::read_to_string(path).ok().map(|text| text.replace("\r\n", "\n"));
    if current.as_deref() == Some(contents) {
        return Ok(Outcome::Fresh);
    }
    if check {
        let old = current.as_deref().unwrap_or("");
        let diff = similar::TextDiff::from_lines(old, contents)
            .unified_diff()
            .context_radius(2)
            .header(&format!("{} (on disk)", path.display()), &format!("{} (from the spec)", path.display()))
            .to_string();
        let what = if current.is_some() { "is stale" } else { "is missing" };
        return Err(format!(
            "{} {what}: run `cargo xtask regenerate` and commit the result.\n{}",
            path.display(),
            truncate_lines(&diff, 200)
        ));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(Outcome::Written)
}

fn truncate_lines(text: &str, max: usize) -> String {
    let total = text.lines().count();
    if total <= max {
        return text.to_owned();
    }
    let mut out: String = text.lines().take(max).flat_map(|l| [l, "\n"]).collect();
    out.push_str(&format!("... ({} more diff lines)\n", total - max));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-freshness-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("generated.rs")
    }

    #[test]
    fn check_mode_reports_a_stale_file_with_a_diff_and_leaves_it_alone() {
        let path = temp("stale");
        std::fs::write(&path, "a\nb\nc\n").unwrap();
        let err = ensure_file_contents(&path, "a\nB\nc\n", true).unwrap_err();
        assert!(err.contains("is stale: run `cargo xtask regenerate`"), "{err}");
        assert!(err.contains("-b\n") && err.contains("+B\n"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a\nb\nc\n");
    }

    #[test]
    fn check_mode_reports_a_missing_file() {
        let path = temp("missing");
        let err = ensure_file_contents(&path, "x\n", true).unwrap_err();
        assert!(err.contains("is missing"), "{err}");
        assert!(!path.exists());
    }

    #[test]
    fn write_mode_writes_once_then_reports_fresh() {
        let path = temp("write");
        assert_eq!(ensure_file_contents(&path, "x\n", false), Ok(Outcome::Written));
        assert_eq!(ensure_file_contents(&path, "x\n", false), Ok(Outcome::Fresh));
        assert_eq!(ensure_file_contents(&path, "x\n", true), Ok(Outcome::Fresh));
    }

    #[test]
    fn crlf_line_endings_on_disk_are_fresh() {
        let path = temp("crlf");
        std::fs::write(&path, "a\r\nb\r\n").unwrap();
        assert_eq!(ensure_file_contents(&path, "a\nb\n", true), Ok(Outcome::Fresh));
        assert_eq!(ensure_file_contents(&path, "a\nb\n", false), Ok(Outcome::Fresh));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a\r\nb\r\n", "a fresh file is not rewritten");
    }

    #[test]
    fn long_diffs_are_cut_with_a_count() {
        let text: String = (0..10).map(|i| format!("{i}\n")).collect();
        let cut = truncate_lines(&text, 3);
        assert_eq!(cut, "0\n1\n2\n... (7 more diff lines)\n");
    }
}
