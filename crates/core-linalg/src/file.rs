//! Writing a file atomically: the one writer every crate of the workspace that writes files uses.
//!
//! It lives in the bottom crate because `data` (CSV), `viz` (figures), `models` (saved models)
//! and `experiments` (study artifacts) all write files and may not depend on each other.

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinguishes the temporary files of concurrent writes within one process.
static TEMPORARY_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `contents` to `path` atomically: a hidden temporary file in the same folder
/// (`.NAME.PID-N.tmp`), flushed to disk, then renamed over `path`. A crash, a kill or a full
/// disk leaves either the old file or the new one at `path`, never half of one.
///
/// # Errors
/// The I/O error (the caller names `path` in its own error): the folder is missing or not
/// writable, the disk is full, or `path` exists and is not a regular file (a device, folder or
/// pipe is never replaced: as root, renaming over `/dev/null` would replace the device itself).
/// After an error the previous file, if any, is intact and the temporary file is removed.
///
/// # Example
/// ```
/// let path = std::env::temp_dir().join(format!("core-linalg-doc-{}.txt", std::process::id()));
/// core_linalg::file::write_atomic(&path, b"hello\n")?;
/// assert_eq!(std::fs::read(&path)?, b"hello\n");
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |file| file.write_all(contents))
}

/// [`write_atomic`], with the contents streamed into the temporary file by `write` (for output
/// too large to build in memory first). `write` should buffer its own small writes.
///
/// # Errors
/// As [`write_atomic`], and any error `write` returns.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut fs::File) -> io::Result<()>,
) -> io::Result<()> {
    write_atomic_through(path, |temporary| fs::File::create_new(temporary), write)
}

/// [`write_atomic_with`], with the temporary file's handle made by `create` from the temporary
/// path. Production passes `File::create_new`; the full-disk test passes a function that
/// creates the temporary file but returns a handle to `/dev/full`, so the real write, error
/// and clean-up path runs against a real `ENOSPC`.
fn write_atomic_through(
    path: &Path,
    create: impl FnOnce(&Path) -> io::Result<fs::File>,
    write: impl FnOnce(&mut fs::File) -> io::Result<()>,
) -> io::Result<()> {
    if fs::metadata(path).is_ok_and(|meta| !meta.is_file()) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file, so it is not replaced",
        ));
    }
    let Some(name) = path.file_name() else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path does not name a file",
        ));
    };
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let temporary = folder.join(format!(
        ".{}.{}-{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        TEMPORARY_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let mut created = false;
    let result = (|| {
        let mut file = create(&temporary)?;
        created = true;
        write(&mut file)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temporary, path)
    })();
    if result.is_err() && created {
        // The write error is the one worth reporting; removing the temporary file is best
        // effort (it cannot be acted on here).
        let _ = fs::remove_file(&temporary);
    }
    result
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::io::Write as _;
    use std::path::{Path, PathBuf};

    use super::{write_atomic, write_atomic_through};

    /// `ENOSPC` on Linux.
    const NO_SPACE: i32 = 28;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("core-linalg-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// A full disk, for real: the temporary file is created beside the target as usual, but the
    /// bytes go to `/dev/full`, whose every write fails with `ENOSPC`. The old file keeps its
    /// bytes and the temporary file is gone.
    #[test]
    fn a_full_disk_keeps_the_old_file_and_leaves_no_temporary_file() {
        let full = Path::new("/dev/full");
        if !full.exists() {
            // Written to the terminal in one write, so the test harness neither swallows nor
            // interleaves it.
            let _ = std::io::stderr().write_all(
                b"SKIPPED: a_full_disk_keeps_the_old_file_and_leaves_no_temporary_file: \
                  /dev/full does not exist here, so a full disk cannot be simulated\n",
            );
            return;
        }
        let dir = scratch("disk-full");
        let target = dir.join("results.csv");
        write_atomic(&target, b"run,status\np00-s1,ok\n").unwrap();

        let temporary: RefCell<Option<PathBuf>> = RefCell::new(None);
        let err = write_atomic_through(
            &target,
            |tmp| {
                std::fs::File::create(tmp)?;
                *temporary.borrow_mut() = Some(tmp.to_owned());
                std::fs::OpenOptions::new().write(true).open(full)
            },
            |file| file.write_all(b"run,status\np00-s1,failed\n"),
        )
        .unwrap_err();

        assert_eq!(err.raw_os_error(), Some(NO_SPACE), "{err}");
        assert_eq!(
            std::fs::read(&target).unwrap(),
            b"run,status\np00-s1,ok\n",
            "the old file is intact"
        );
        let temporary = temporary
            .into_inner()
            .expect("a temporary file was created");
        assert_eq!(temporary.parent(), Some(dir.as_path()));
        assert!(!temporary.exists(), "{} was left", temporary.display());
        assert_eq!(names(&dir), ["results.csv"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_folder_at_the_path_is_not_replaced_and_nothing_is_left() {
        let dir = scratch("occupied");
        let target = dir.join("occupied");
        std::fs::create_dir_all(target.join("child")).unwrap();
        let err = write_atomic(&target, b"data").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{err}");
        assert!(target.join("child").is_dir());
        assert_eq!(names(&dir), ["occupied"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_folder_is_an_error_and_a_new_file_is_written_whole() {
        let dir = scratch("missing");
        assert!(write_atomic(&dir.join("no/such/file"), b"x").is_err());
        let target = dir.join("new.txt");
        write_atomic(&target, b"first").unwrap();
        write_atomic(&target, b"second").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"second");
        assert_eq!(names(&dir), ["new.txt"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
