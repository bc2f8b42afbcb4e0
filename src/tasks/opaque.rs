//! A value of any type, read back as the type its owner knows it has.
//!
//! The erased primitives ([`super`]) hold values of many types behind one type. `dyn Any`
//! would check each read against the value's `TypeId`: a 128-bit hash, so 16 bytes that do
//! not compress in every place that reads a type, a `type_id` function in every type's
//! vtable, and a panic path. Measured with `cargo xtask dist`: 7.0 KB of brotli off the
//! whole app for the signals, memos, resources, actions and effects, and 1.5 KB more for
//! [`super::StoredValue`]. Here the check is made in debug builds only (the tests), and a
//! release build reads the value directly.
//!
//! That is sound because of how the primitives use it. Each one holds its erased value
//! privately behind a typed handle (`RwSignal<T>`, `Resource<T>`…), whose constructor is
//! the only code that makes values for it, always of its `T`. So every read here is of the
//! type that was stored. Keep it that way: nothing outside `tasks` may make or read an
//! [`Opaque`].

#[cfg(debug_assertions)]
use std::any::TypeId;

/// Any `'static` value. (Only a debug build can ask its type.)
pub trait Opaque {
    #[cfg(debug_assertions)]
    fn type_of(&self) -> TypeId;
}

impl<T: 'static> Opaque for T {
    #[cfg(debug_assertions)]
    fn type_of(&self) -> TypeId {
        TypeId::of::<T>()
    }
}

/// In a debug build, that `value` is a `T` (a bug in `tasks` otherwise).
#[inline(always)]
fn check<T: 'static>(value: &(impl Opaque + ?Sized)) {
    #[cfg(debug_assertions)]
    assert!(value.type_of() == TypeId::of::<T>(), "an erased value read as another type");
    let _ = value;
}

/// `value` as the `T` it is.
///
/// # Safety
/// `value` must be a `T`: made from one by the typed handle that reads it.
pub unsafe fn read<T: 'static, O: Opaque + ?Sized>(value: &O) -> &T {
    check::<T>(value);
    // SAFETY: the caller guarantees the pointee is a `T`; the data pointer of a `dyn`
    // points at the value itself.
    unsafe { &*(value as *const O).cast::<T>() }
}

/// `value` as the `T` it is, to change it.
///
/// # Safety
/// As [`read`].
pub unsafe fn write<T: 'static, O: Opaque + ?Sized>(value: &mut O) -> &mut T {
    check::<T>(value);
    // SAFETY: as in `read`; the borrow is unique.
    unsafe { &mut *(value as *mut O).cast::<T>() }
}

/// The `T` that `value` holds, out of its box.
///
/// # Safety
/// As [`read`].
pub unsafe fn unbox<T: 'static>(value: Box<dyn Opaque>) -> T {
    check::<T>(&*value);
    // SAFETY: as in `read`: the box holds a `T`, allocated as one.
    unsafe { *Box::from_raw(Box::into_raw(value).cast::<T>()) }
}
