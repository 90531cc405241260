//! After the first epoch, training allocates nothing: a counting allocator proves that a fit of
//! many epochs makes exactly as many allocations as a fit of a few.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use models::{BatchMode, LogisticRegressionConfig, MlpConfig};

use crate::common::{random_dataset, rng};

struct CountingAllocator;

thread_local! {
    // Per thread, so tests running in parallel do not see each other's allocations.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: delegates every call to the system allocator unchanged; only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn mlp_epochs_allocate_nothing() {
    let data = random_dataset(64, 2, 1);
    let eval = random_dataset(16, 2, 2);
    for batch in [BatchMode::Full, BatchMode::MiniBatch { batch_size: 10 }] {
        let count = |epochs: usize| {
            let config = MlpConfig::new(&[2, 20, 20, 20, 1])
                .with_epochs(epochs)
                .with_batch(batch)
                .with_gradient_norm_stride(5);
            allocations_during(|| {
                config
                    .fit_with(&data, Some(&eval), &mut rng(3), &mut models::NoObserver)
                    .expect("fits");
            })
        };
        assert_eq!(count(10), count(500), "{batch:?}");
    }
}

#[test]
fn logistic_epochs_allocate_nothing() {
    let data = random_dataset(64, 3, 4);
    let count = |epochs: usize| {
        let config = LogisticRegressionConfig::new().with_epochs(epochs);
        allocations_during(|| {
            config.fit(&data, &mut rng(0)).expect("fits");
        })
    };
    assert_eq!(count(10), count(1000));
}
