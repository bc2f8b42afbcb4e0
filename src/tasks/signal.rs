//! Leptos's read-only `Signal`, compiled once.
//!
//! A `Signal<T>` prop takes a value, a signal, a memo or a derived closure. Leptos's compiles
//! its read machinery (`get`, `with`, the arena slot of each kind) per `T`: measured, about
//! 1.3 KB of wasm for each `T`'s `get` alone, before compression, for some thirty types. Here
//! every `Signal<T>` is a typed view of one `Signal` over shared, type-erased values. It
//! behaves as Leptos's does: reading a derived signal tracks what its closure reads.
//!
//! Texts (`Signal<&'static str>`, rendered directly in views) stay Leptos's: one type, so one
//! copy, and it renders without a closure around it.

use super::opaque::{self, Opaque};
use leptos::prelude::{DefinedAt, ReadUntracked, Track};
use std::marker::PhantomData;
use std::sync::Arc;

/// What the one signal type holds: a shared value of any type.
type Shared = Arc<dyn Opaque + Send + Sync>;

fn shared<T: 'static>(value: &Shared) -> &T {
    // SAFETY: only `derive` and `stored` put values in a `Signal<T>`, always a `T`.
    unsafe { opaque::read::<T, _>(&**value) }
}

/// A value that may change, read as a signal: `get`, `with`, `read`, `get_untracked`…
pub struct Signal<T> {
    inner: leptos::prelude::Signal<Shared>,
    ty: PhantomData<fn() -> T>,
}

impl<T> Clone for Signal<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Signal<T> {}

impl<T: Send + Sync + 'static> Signal<T> {
    /// The value of `f`, computed on each read; a read tracks what `f` reads.
    pub fn derive(f: impl Fn() -> T + Send + Sync + 'static) -> Signal<T> {
        Signal { inner: erased_derive(Box::new(move || Arc::new(f()) as Shared)), ty: PhantomData }
    }

    /// A value that never changes.
    pub fn stored(value: T) -> Signal<T> {
        Signal { inner: erased_stored(Arc::new(value)), ty: PhantomData }
    }
}

#[inline(never)]
fn erased_derive(f: Box<dyn Fn() -> Shared + Send + Sync>) -> leptos::prelude::Signal<Shared> {
    leptos::prelude::Signal::derive(move || f())
}

#[inline(never)]
fn erased_stored(value: Shared) -> leptos::prelude::Signal<Shared> {
    leptos::prelude::Signal::stored(value)
}

impl<T> DefinedAt for Signal<T> {
    fn defined_at(&self) -> Option<&'static std::panic::Location<'static>> {
        self.inner.defined_at()
    }
}

impl<T> Track for Signal<T> {
    fn track(&self) {
        self.inner.track();
    }
}

impl<T: 'static> ReadUntracked for Signal<T> {
    type Value = SharedGuard<T>;

    fn try_read_untracked(&self) -> Option<SharedGuard<T>> {
        self.inner.try_read_untracked().map(|inner| SharedGuard { inner, ty: PhantomData })
    }
}

/// A [`Signal`]'s value while it is read.
pub struct SharedGuard<T> {
    inner: <leptos::prelude::Signal<Shared> as ReadUntracked>::Value,
    ty: PhantomData<fn() -> T>,
}

impl<T: 'static> std::ops::Deref for SharedGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        shared(&self.inner)
    }
}

impl<T: Default + Send + Sync + 'static> Default for Signal<T> {
    fn default() -> Signal<T> {
        Signal::stored(T::default())
    }
}

/// A closure for a signal prop: derived from it. (A plain value is `Signal::stored`.)
impl<T: Send + Sync + 'static, F: Fn() -> T + Send + Sync + 'static> From<F> for Signal<T> {
    fn from(f: F) -> Signal<T> {
        Signal::derive(f)
    }
}
