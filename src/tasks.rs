//! Loads, changes, effects, memos and signals: Leptos's `LocalResource`, `Action`, `Effect`,
//! `Memo`, `RwSignal`, `Signal` (in [`signal`]) and `StoredValue` (in [`stored`]), each
//! compiled once for the whole app.
//!
//! The primitives are generic over what they hold and the closure or future they run, so
//! every use compiles its own copy of the machinery around it: measured, about 3 KB of wasm
//! per type for a resource or an action, 0.8 KB per effect and 1 KB per memo type, before
//! compression. Here there is one instance of each over a type-erased value; [`Resource`],
//! [`Act`], [`effect`], [`Memo`], [`RwSignal`] and [`Signal`] give each use its own typed
//! view of them.
//! They behave as the primitives do: a resource reloads when a signal its fetcher reads
//! changes and suspends a `<Transition>` while loading; an action has `pending`, `value` and
//! `version`; an effect reruns when what it read changes; a memo notifies only when its value
//! changed; a signal notifies its readers on every write.

use leptos::prelude::*;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

mod opaque;
mod signal;
mod stored;
use opaque::Opaque;
pub use signal::Signal;
pub use stored::StoredValue;

/// A value of any type (the one type the primitives hold).
type Erased = Rc<dyn Opaque>;
type Task = Pin<Box<dyn Future<Output = Erased>>>;

fn erase<T: 'static>(value: T) -> Erased {
    Rc::new(value)
}

/// # Safety
/// `value` holds a `T` (see [`opaque`]): only `Resource<T>` and `Act<_, T>` read theirs.
unsafe fn view<T: 'static>(value: &Option<Erased>) -> Option<&T> {
    // SAFETY: the caller's.
    value.as_ref().map(|v| unsafe { opaque::read::<T, _>(&**v) })
}

/// A load of a `T`: a `LocalResource` underneath.
pub struct Resource<T> {
    inner: LocalResource<Erased>,
    ty: PhantomData<fn() -> T>,
}

impl<T> Clone for Resource<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Resource<T> {}

/// A resource loading what `fetch` returns, again whenever a signal `fetch` reads (before its
/// first `.await`) changes.
pub fn resource<T: 'static, F: Future<Output = T> + 'static>(fetch: impl Fn() -> F + 'static) -> Resource<T> {
    let fetch = move || {
        let fut = fetch();
        Box::pin(async move { erase(fut.await) }) as Task
    };
    Resource { inner: erased_resource(Box::new(fetch)), ty: PhantomData }
}

#[inline(never)]
fn erased_resource(fetch: Box<dyn Fn() -> Task>) -> LocalResource<Erased> {
    LocalResource::new(fetch)
}

impl<T: 'static> Resource<T> {
    /// Reads the value, None while the first load runs (tracked; in a `<Transition>` it also
    /// holds the fallback until loaded).
    pub fn with<R>(&self, f: impl FnOnce(Option<&T>) -> R) -> R {
        // SAFETY: only `resource` and `set` store values here, each a `T`.
        self.inner.with(|v| f(unsafe { view(v) }))
    }

    /// Loads again.
    pub fn refetch(&self) {
        self.inner.refetch();
    }

    /// Replaces the value (say with what a change answered).
    pub fn set(&self, value: T) {
        self.inner.set(Some(erase(value)));
    }
}

impl<T: Clone + 'static> Resource<T> {
    /// The value, None while the first load runs (tracked).
    pub fn get(&self) -> Option<T> {
        self.with(|v| v.cloned())
    }
}

/// A change taking an `I` and answering an `O`: an `Action` underneath.
pub struct Act<I, O> {
    inner: Action<Erased, Erased>,
    ty: PhantomData<fn(I) -> O>,
}

impl<I, O> Clone for Act<I, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I, O> Copy for Act<I, O> {}

/// An action running `run` for each dispatched input.
pub fn action<I: 'static, O: 'static, F: Future<Output = O> + 'static>(run: impl Fn(&I) -> F + 'static) -> Act<I, O> {
    let run = move |input: &Erased| {
        // SAFETY: only `Act::dispatch` makes inputs, always an `I`.
        let fut = run(unsafe { opaque::read::<I, _>(&**input) });
        Box::pin(async move { erase(fut.await) }) as Task
    };
    Act { inner: erased_action(Box::new(run)), ty: PhantomData }
}

#[inline(never)]
fn erased_action(run: Box<dyn Fn(&Erased) -> Task>) -> Action<Erased, Erased> {
    Action::new_local(move |input: &Erased| run(input))
}

impl<I: 'static, O: 'static> Act<I, O> {
    pub fn dispatch(&self, input: I) {
        self.inner.dispatch_local(erase(input));
    }

    /// Running now (tracked).
    pub fn pending(&self) -> bool {
        self.inner.pending().get()
    }

    /// How many runs finished (tracked).
    pub fn version(&self) -> usize {
        self.inner.version().get()
    }

    /// Reads the latest answer, None before the first (tracked).
    pub fn with<R>(&self, f: impl FnOnce(Option<&O>) -> R) -> R {
        // SAFETY: only `action`'s runs answer here, each with an `O`.
        self.inner.value().with(|v| f(unsafe { view(v) }))
    }

    /// Forgets the latest answer.
    pub fn clear(&self) {
        self.inner.value().set(None);
    }
}

impl<I: 'static, O: Clone + 'static> Act<I, O> {
    /// The latest answer, None before the first (tracked).
    pub fn value(&self) -> Option<O> {
        self.with(|v| v.cloned())
    }
}

/// `Effect::new`, compiled once: runs `f` now and again whenever a signal it read changes,
/// handing it what it returned the time before (None the first time). Each `Effect::new`
/// compiled its own copy of the effect's scheduling (about 0.8 KB of wasm each, measured);
/// here there is one, over a boxed function.
pub fn effect<T: 'static>(mut f: impl FnMut(Option<T>) -> T + 'static) {
    erased_effect(Box::new(move |before: Option<Box<dyn Opaque>>| {
        // SAFETY: only this closure makes the values it gets back, always a `T`.
        let before = before.map(|b| unsafe { opaque::unbox::<T>(b) });
        Box::new(f(before)) as Box<dyn Opaque>
    }));
}

type EffectFn = Box<dyn FnMut(Option<Box<dyn Opaque>>) -> Box<dyn Opaque>>;

#[inline(never)]
fn erased_effect(mut f: EffectFn) {
    Effect::new(move |before: Option<Box<dyn Opaque>>| f(before));
}

/// What the one memo type holds: a value of any type that compares with its own kind.
type Held = Arc<dyn Compare + Send + Sync>;

trait Compare: Opaque {
    /// # Safety
    /// `other` is of this value's type (two values of one memo).
    unsafe fn same(&self, other: &dyn Compare) -> bool;
}

impl<T: PartialEq + 'static> Compare for T {
    unsafe fn same(&self, other: &dyn Compare) -> bool {
        // SAFETY: the caller's.
        unsafe { opaque::read::<T, _>(other) == self }
    }
}

fn held<T: 'static>(value: &Held) -> &T {
    // SAFETY: only `Memo::new`'s closure makes the values a `Memo<T>` holds, always a `T`.
    unsafe { opaque::read::<T, _>(&**value) }
}

/// Leptos's `Memo`, compiled once: a value derived from signals, recomputed when they change,
/// and telling its readers only when it is not equal to the last one. Every `Memo<T>` is a
/// typed view of one `Memo` over [`Held`] values (Leptos's compiled its whole machinery per
/// `T`). Read it as any signal: `get`, `with`, `get_untracked`, `read`… (it implements the
/// same reactive traits).
pub struct Memo<T> {
    inner: leptos::prelude::Memo<Held>,
    ty: PhantomData<fn() -> T>,
}

impl<T> Clone for Memo<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Memo<T> {}

impl<T: PartialEq + Send + Sync + 'static> Memo<T> {
    /// Computes `fun` (given its last value) now and whenever a signal it read changes.
    pub fn new(fun: impl Fn(Option<&T>) -> T + Send + Sync + 'static) -> Memo<T> {
        let fun = move |before: Option<&Held>| Arc::new(fun(before.map(held::<T>))) as Held;
        Memo { inner: erased_memo(Box::new(fun)), ty: PhantomData }
    }
}

type MemoFn = Box<dyn Fn(Option<&Held>) -> Held + Send + Sync>;

#[inline(never)]
fn erased_memo(fun: MemoFn) -> leptos::prelude::Memo<Held> {
    leptos::prelude::Memo::new_with_compare(
        move |before: Option<&Held>| fun(before),
        |before, now| match (before, now) {
            // SAFETY: both are values of this memo, of its one type.
            (Some(before), Some(now)) => !unsafe { before.same(&**now) },
            _ => true,
        },
    )
}

impl<T> DefinedAt for Memo<T> {
    fn defined_at(&self) -> Option<&'static std::panic::Location<'static>> {
        self.inner.defined_at()
    }
}

impl<T> Track for Memo<T> {
    fn track(&self) {
        self.inner.track();
    }
}

impl<T: 'static> ReadUntracked for Memo<T> {
    type Value = MemoGuard<T>;

    fn try_read_untracked(&self) -> Option<MemoGuard<T>> {
        self.inner.try_read_untracked().map(|inner| MemoGuard { inner, ty: PhantomData })
    }
}

/// A [`Memo`]'s value while it is read.
pub struct MemoGuard<T> {
    inner: <leptos::prelude::Memo<Held> as ReadUntracked>::Value,
    ty: PhantomData<fn() -> T>,
}

impl<T: 'static> std::ops::Deref for MemoGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        held(&self.inner)
    }
}

/// What the one signal type holds: a value of any type.
type Boxed = Box<dyn Opaque + Send + Sync>;

fn boxed<T: 'static>(value: &Boxed) -> &T {
    // SAFETY: only `RwSignal::new` puts values in a `RwSignal<T>`, always a `T` (a write
    // changes that `T` in place).
    unsafe { opaque::read::<T, _>(&**value) }
}

/// Leptos's `RwSignal`, compiled once: every `RwSignal<T>` is a typed view of one `RwSignal`
/// over boxed values (Leptos's compiled its read and write machinery per `T`). Read and
/// change it as any signal: `get`, `with`, `set`, `update`… (it implements the same
/// reactive traits).
pub struct RwSignal<T> {
    inner: leptos::prelude::RwSignal<Boxed>,
    ty: PhantomData<fn() -> T>,
}

impl<T> Clone for RwSignal<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for RwSignal<T> {}

impl<T: Send + Sync + 'static> RwSignal<T> {
    pub fn new(value: T) -> RwSignal<T> {
        RwSignal { inner: erased_signal(Box::new(value)), ty: PhantomData }
    }
}

#[inline(never)]
fn erased_signal(value: Boxed) -> leptos::prelude::RwSignal<Boxed> {
    leptos::prelude::RwSignal::new(value)
}

impl<T> DefinedAt for RwSignal<T> {
    fn defined_at(&self) -> Option<&'static std::panic::Location<'static>> {
        self.inner.defined_at()
    }
}

impl<T> Track for RwSignal<T> {
    fn track(&self) {
        self.inner.track();
    }
}

impl<T> Notify for RwSignal<T> {
    fn notify(&self) {
        self.inner.notify();
    }
}

impl<T> IsDisposed for RwSignal<T> {
    fn is_disposed(&self) -> bool {
        self.inner.is_disposed()
    }
}

impl<T: 'static> ReadUntracked for RwSignal<T> {
    type Value = SignalGuard<T>;

    fn try_read_untracked(&self) -> Option<SignalGuard<T>> {
        self.inner.try_read_untracked().map(|inner| SignalGuard { inner, ty: PhantomData })
    }
}

/// A [`RwSignal`]'s value while it is read.
pub struct SignalGuard<T> {
    inner: <leptos::prelude::RwSignal<Boxed> as ReadUntracked>::Value,
    ty: PhantomData<fn() -> T>,
}

impl<T: 'static> std::ops::Deref for SignalGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        boxed(&self.inner)
    }
}

impl<T: 'static> Write for RwSignal<T> {
    type Value = T;

    fn try_write(&self) -> Option<impl UntrackableGuard<Target = T>> {
        self.inner.try_write().map(|inner| WriteGuard { inner, ty: PhantomData })
    }

    fn try_write_untracked(&self) -> Option<impl std::ops::DerefMut<Target = T>> {
        self.inner.try_write_untracked().map(|inner| WriteGuard { inner, ty: PhantomData })
    }
}

/// A [`RwSignal`]'s value while it is changed: readers are told when it is dropped (unless
/// untracked).
struct WriteGuard<G, T> {
    inner: G,
    ty: PhantomData<fn() -> T>,
}

impl<G: std::ops::Deref<Target = Boxed>, T: 'static> std::ops::Deref for WriteGuard<G, T> {
    type Target = T;

    fn deref(&self) -> &T {
        boxed(&self.inner)
    }
}

impl<G: std::ops::DerefMut<Target = Boxed>, T: 'static> std::ops::DerefMut for WriteGuard<G, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `boxed`, the value is always a `T`.
        unsafe { opaque::write::<T, _>(&mut **self.inner) }
    }
}

impl<G: UntrackableGuard<Target = Boxed>, T: 'static> UntrackableGuard for WriteGuard<G, T> {
    fn untrack(&mut self) {
        self.inner.untrack();
    }
}

/// For props that take any signal: reads through the signal.
impl<T: Clone + Send + Sync + 'static> From<RwSignal<T>> for Signal<T> {
    fn from(signal: RwSignal<T>) -> Signal<T> {
        Signal::derive(move || signal.get())
    }
}

/// For props that take any signal: reads through the memo.
impl<T: Clone + PartialEq + Send + Sync + 'static> From<Memo<T>> for Signal<T> {
    fn from(memo: Memo<T>) -> Signal<T> {
        Signal::derive(move || memo.get())
    }
}
