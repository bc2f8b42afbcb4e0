//! Loads and changes: Leptos's `LocalResource` and `Action`, compiled once for the whole app.
//!
//! Both are generic over what they hold and the future they run, so every use compiles its
//! own copy of the async machinery around it: measured, about 3 KB of wasm per type before
//! compression, which twelve loads and ten changes would add to the first download. Here
//! there is one `LocalResource` and one `Action` type, over a type-erased value; [`Resource`]
//! and [`Act`] give each use its own typed view of them. They behave as the primitives do: a
//! resource reloads when a signal its fetcher reads changes and suspends a `<Transition>`
//! while loading; an action has `pending`, `value` and `version`.

use leptos::prelude::*;
use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;

/// A value of any type (the one type the primitives hold).
type Erased = Rc<dyn Any>;
type Task = Pin<Box<dyn Future<Output = Erased>>>;

fn erase<T: 'static>(value: T) -> Erased {
    Rc::new(value)
}

fn view<T: 'static>(value: &Option<Erased>) -> Option<&T> {
    value.as_ref().and_then(|v| (**v).downcast_ref::<T>())
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
        self.inner.with(|v| f(view(v)))
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
        // Only `Act::dispatch` makes inputs, always an `I`.
        let fut = (**input).downcast_ref::<I>().map(&run);
        Box::pin(async move {
            match fut {
                Some(fut) => erase(fut.await),
                None => erase(()),
            }
        }) as Task
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
        self.inner.value().with(|v| f(view(v)))
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
    erased_effect(Box::new(move |before: Option<Box<dyn Any>>| {
        // Only this closure makes the values it gets back, always a `T`.
        let before = before.and_then(|b| b.downcast::<T>().ok()).map(|b| *b);
        Box::new(f(before)) as Box<dyn Any>
    }));
}

type EffectFn = Box<dyn FnMut(Option<Box<dyn Any>>) -> Box<dyn Any>>;

#[inline(never)]
fn erased_effect(mut f: EffectFn) {
    Effect::new(move |before: Option<Box<dyn Any>>| f(before));
}
