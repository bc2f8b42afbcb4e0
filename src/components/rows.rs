//! `<Rows>`: a keyed list, Leptos's `<For>` compiled once for the whole app.
//!
//! `<For>` is generic over the item, the key and the row's view, so each list compiled its own
//! copy of the keyed diff, its render effect and the row glue: measured, about 6 KB of wasm
//! per list before compression. Here `<For>` runs over one type-erased row (the item boxed,
//! its key behind a small trait object), and only the boxing is compiled per list. It behaves
//! as `<For>` does: a row whose key is unchanged keeps its DOM and its reactive owner; a new
//! key builds a row; a gone key drops it; moved keys move their nodes.

use leptos::__reexports::send_wrapper::SendWrapper;
use leptos::prelude::*;
use std::any::Any;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

/// A key of any type that compares and hashes like itself.
trait DynKey {
    fn as_any(&self) -> &dyn Any;
    fn same(&self, other: &dyn DynKey) -> bool;
    fn hash_into(&self, state: &mut dyn Hasher);
}

impl<K: Eq + Hash + 'static> DynKey for K {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn same(&self, other: &dyn DynKey) -> bool {
        other.as_any().downcast_ref::<K>() == Some(self)
    }

    fn hash_into(&self, mut state: &mut dyn Hasher) {
        self.hash(&mut state);
    }
}

/// A row's key, erased.
#[derive(Clone)]
struct Key(Rc<dyn DynKey>);

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.0.same(&*other.0)
    }
}

impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash_into(state);
    }
}

/// One item and its key. (Single-threaded wasm: the wrapper only satisfies `<For>`'s `Send`
/// bounds, and is never touched from another thread.)
struct Row {
    key: Key,
    item: Box<dyn Any>,
}

type Each = Box<dyn Fn() -> Vec<Row>>;
type View = Rc<dyn Fn(Box<dyn Any>) -> AnyView>;

/// A keyed list: `<Rows each=… key=|item| … let:item>…</Rows>`, as `<For>`.
#[component]
pub fn Rows<IF, I, T, KF, K, EF, N>(each: IF, key: KF, children: EF) -> impl IntoView
where
    IF: Fn() -> I + 'static,
    I: IntoIterator<Item = T>,
    T: 'static,
    KF: Fn(&T) -> K + 'static,
    K: Eq + Hash + 'static,
    EF: Fn(T) -> N + 'static,
    N: IntoView + 'static,
{
    let each: Each = Box::new(move || {
        each().into_iter().map(|item| Row { key: Key(Rc::new(key(&item))), item: Box::new(item) }).collect()
    });
    let view: View = Rc::new(move |item: Box<dyn Any>| match item.downcast::<T>() {
        Ok(item) => children(*item).into_any(),
        // Only the items `each` boxed reach here, all of type T.
        Err(_) => ().into_any(),
    });
    erased_rows(each, view)
}

#[inline(never)]
fn erased_rows(each: Each, view: View) -> AnyView {
    let each = SendWrapper::new(each);
    let view = SendWrapper::new(view);
    view! {
        <For
            each={move || (*each)().into_iter().map(SendWrapper::new).collect::<Vec<_>>()}
            key={|row: &SendWrapper<Row>| row.key.clone()}
            children={move |row: SendWrapper<Row>| (*view)(row.take().item)}
        />
    }
    .into_any()
}
