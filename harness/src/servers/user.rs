//! Who a throwaway server runs as.
//!
//! Some servers (PostgreSQL) refuse to run as root, because a root-owned
//! database process that is compromised owns the machine. The harness
//! often runs as root (in containers, in CI), so there a server runs as
//! its distribution's system user (Debian's `postgres`), and its folder
//! is handed to that user. When the harness is not root, the server runs
//! as the harness's own user, which needs nothing.

use std::ffi::CString;

/// A user and group id to run a server's processes as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunAs {
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
}

/// Whether the harness runs as root (effective user id 0).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The user and primary group of the system user `name`, if it exists.
pub fn system_user(name: &str) -> Option<RunAs> {
    let name = CString::new(name).ok()?;
    // SAFETY: getpwnam_r writes only into `entry` and `buf`, both live and
    // sized as passed; `found` is set to null or to `&entry`. The
    // reentrant variant is used because getpwnam's static buffer is not
    // thread-safe, and tests start servers in parallel.
    unsafe {
        let mut entry: libc::passwd = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 16 * 1024];
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwnam_r(
            name.as_ptr(),
            &mut entry,
            buf.as_mut_ptr(),
            buf.len(),
            &mut found,
        );
        if rc != 0 || found.is_null() {
            return None;
        }
        Some(RunAs {
            uid: entry.pw_uid,
            gid: entry.pw_gid,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_user_zero_and_a_made_up_user_does_not_exist() {
        assert_eq!(system_user("root"), Some(RunAs { uid: 0, gid: 0 }));
        assert_eq!(system_user("contend-no-such-user"), None);
    }
}
