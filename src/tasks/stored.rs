//! Leptos's `StoredValue`, compiled once: a value kept for a component's life (not
//! reactive), read and changed in place. Leptos's compiles its arena slot and its read and
//! write paths per `T`, each with the `T`'s `TypeId`; here every `StoredValue<T>` is a typed
//! view of one `StoredValue` over boxed values ([`super::opaque`]).

use super::opaque::{self, Opaque};
use leptos::prelude::{UpdateValue, WithValue};
use std::marker::PhantomData;

/// What the one stored type holds: a value of any type.
type Kept = Box<dyn Opaque + Send + Sync>;

/// A value kept with the component that made it: `with_value`, `get_value`, `set_value`,
/// `update_value`, as Leptos's.
pub struct StoredValue<T> {
    inner: leptos::prelude::StoredValue<Kept>,
    ty: PhantomData<fn() -> T>,
}

impl<T> Clone for StoredValue<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for StoredValue<T> {}

#[inline(never)]
fn erased_stored(value: Kept) -> leptos::prelude::StoredValue<Kept> {
    leptos::prelude::StoredValue::new(value)
}

impl<T: Send + Sync + 'static> StoredValue<T> {
    pub fn new(value: T) -> StoredValue<T> {
        StoredValue { inner: erased_stored(Box::new(value)), ty: PhantomData }
    }

    /// Reads the value.
    pub fn with_value<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        // SAFETY: only `new` makes the value, a `T`; `update_value` changes it in place.
        self.inner.with_value(|v| f(unsafe { opaque::read::<T, _>(&**v) }))
    }

    /// Changes the value in place.
    pub fn update_value(&self, f: impl FnOnce(&mut T)) {
        // SAFETY: as in `with_value`.
        self.inner.update_value(|v| f(unsafe { opaque::write::<T, _>(&mut **v) }));
    }

    /// Replaces the value.
    pub fn set_value(&self, value: T) {
        self.update_value(|v| *v = value);
    }
}

impl<T: Clone + Send + Sync + 'static> StoredValue<T> {
    /// A copy of the value.
    pub fn get_value(&self) -> T {
        self.with_value(T::clone)
    }
}
