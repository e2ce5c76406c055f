//! The smallest deadlock: two threads taking two locks in opposite
//! orders, for the checks that a deadlock's report names each blocked
//! thread's wait (`loom_own_executor.rs`, `shuttle_own_executor.rs`).

use contend_strategies::sync::{thread, Arc, Mutex};

/// The lines of the two locks that block, in this file.
pub const BLOCKED_AT: &str = "Mutex::lock at tests/tests/common/opposite_orders.rs:";

/// The model: may deadlock, as a checker finds.
pub fn model() -> Box<dyn Fn() + Send + Sync> {
    Box::new(|| {
        let locks = Arc::new((Mutex::new(()), Mutex::new(())));
        let other = Arc::clone(&locks);
        let second = thread::spawn(move || {
            let _b = other.1.lock();
            let _a = other.0.lock();
        });
        {
            let _a = locks.0.lock();
            let _b = locks.1.lock();
        }
        second.join().unwrap();
    })
}
