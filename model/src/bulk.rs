//! Bulk import of secrets as a state machine: paste, preview, create in order; a failure
//! stops the run and says which lines were created; a retry sends only the others, also
//! after a reload (the [`BulkDraft`]), and never twice a line whose create got no answer but
//! went through.
//!
//! The screen drives it: [`BulkImport::preview`] on the text, then for a run
//! [`BulkImport::reconcile`] with the list on the service, [`BulkImport::start`], and per
//! line [`BulkImport::created`] or [`BulkImport::failed`]. `E` is the screen's error type.

use crate::queue::{Secrets, ranges};
use crate::secret_line::{self, SecretLine};
use schet_api::FieldError;
use std::collections::HashSet;

/// Where one line stands.
#[derive(Debug, Clone, PartialEq)]
pub enum LineState<E> {
    Ready,
    /// Breaks a rule: never sent.
    Invalid(FieldError),
    Created,
    Failed(E),
    /// In this run, not tried yet (or not reached: an earlier line failed).
    Waiting,
}

/// A line the service created (or may have: see [`BulkDraft::unanswered`]).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct CreatedLine {
    #[prost(uint32, tag = "1")]
    pub line: u32,
    #[prost(string, tag = "2")]
    pub text: String,
    #[prost(string, repeated, tag = "3")]
    pub images: Vec<String>,
}

impl CreatedLine {
    fn of(line: &SecretLine) -> CreatedLine {
        CreatedLine { line: line.line as u32, text: line.text.clone(), images: line.images.clone() }
    }

    fn is(&self, line: &SecretLine) -> bool {
        self.line as usize == line.line && self.text == line.text && self.images == line.images
    }
}

/// A bulk import in progress, kept as a draft: the pasted text and what was already created
/// from it, so that after a reload a retry still sends only the rest.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BulkDraft {
    #[prost(string, tag = "1")]
    pub text: String,
    #[prost(message, repeated, tag = "2")]
    pub created: Vec<CreatedLine>,
    /// The line whose create got no answer (the network failed): it may be on the service.
    /// (Tag 3 held an index in earlier versions.)
    #[prost(message, optional, tag = "4")]
    pub unanswered: Option<CreatedLine>,
}

/// The import's state.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkImport<E> {
    lines: Vec<(SecretLine, LineState<E>)>,
    /// Never sent again.
    created: Vec<CreatedLine>,
    unanswered: Option<CreatedLine>,
    /// Secret ids that existed before or were created by this import.
    known: HashSet<u64>,
}

impl<E> Default for BulkImport<E> {
    fn default() -> Self {
        BulkImport { lines: Vec::new(), created: Vec::new(), unanswered: None, known: HashSet::new() }
    }
}

impl<E: Clone> BulkImport<E> {
    /// Back from a draft; previewed when it holds text.
    pub fn restore(draft: BulkDraft) -> Self {
        let mut import = BulkImport { created: draft.created, unanswered: draft.unanswered, ..Default::default() };
        if !draft.text.trim().is_empty() {
            import.preview(&draft.text);
        }
        import
    }

    /// The draft of this import with the text as typed.
    pub fn draft(&self, text: String) -> BulkDraft {
        BulkDraft { text, created: self.created.clone(), unanswered: self.unanswered.clone() }
    }

    /// Reads `text`: lines created earlier show as created, lines that break a rule as such.
    pub fn preview(&mut self, text: &str) {
        self.lines = secret_line::parse(text)
            .into_iter()
            .map(|l| {
                let state = if self.created.iter().any(|c| c.is(&l)) {
                    LineState::Created
                } else if let Some(e) = &l.error {
                    LineState::Invalid(e.clone())
                } else {
                    LineState::Ready
                };
                (l, state)
            })
            .collect();
    }

    pub fn lines(&self) -> &[(SecretLine, LineState<E>)] {
        &self.lines
    }

    /// Before a run, with the list on the service now: a line whose create got no answer but
    /// is there (a new secret with its text and images) counts as created.
    pub fn reconcile(&mut self, now: &Secrets) {
        if let Some(line) = self.unanswered.take() {
            let new = now
                .unsold
                .iter()
                .find(|s| !self.known.contains(&s.id) && s.text == line.text && s.images == line.images);
            if let Some(s) = new {
                self.known.insert(s.id);
                for (l, state) in &mut self.lines {
                    if line.is(l) {
                        *state = LineState::Created;
                    }
                }
                self.created.push(line);
            }
        }
        self.known.extend(now.ids());
    }

    /// Starts a run: the lines to create, in order (each now waiting).
    pub fn start(&mut self) -> Vec<usize> {
        let mut todo = Vec::new();
        for (i, (_, state)) in self.lines.iter_mut().enumerate() {
            if !matches!(state, LineState::Created | LineState::Invalid(_)) {
                *state = LineState::Waiting;
                todo.push(i);
            }
        }
        todo
    }

    /// Line `i` (an index of [`BulkImport::lines`]) to send.
    pub fn line(&self, i: usize) -> &SecretLine {
        &self.lines[i].0
    }

    /// Line `i` was created; `now` is the list the service answered with.
    pub fn created(&mut self, i: usize, now: &Secrets) {
        self.known.extend(now.ids());
        self.created.push(CreatedLine::of(&self.lines[i].0));
        self.lines[i].1 = LineState::Created;
    }

    /// Line `i` failed with `error`; `unanswered`: the service may have created it all the
    /// same (the answer was lost). The run stops here.
    pub fn failed(&mut self, i: usize, error: E, unanswered: bool) {
        if unanswered {
            self.unanswered = Some(CreatedLine::of(&self.lines[i].0));
        }
        self.lines[i].1 = LineState::Failed(error);
    }

    /// Every line is in (or can never be): nothing left to keep.
    pub fn is_complete(&self) -> bool {
        self.lines.iter().all(|(_, s)| matches!(s, LineState::Created | LineState::Invalid(_)))
    }

    /// Lines to create in all (those breaking no rule).
    pub fn total(&self) -> usize {
        self.lines.iter().filter(|(_, s)| !matches!(s, LineState::Invalid(_))).count()
    }

    /// Lines created.
    pub fn done(&self) -> usize {
        self.lines.iter().filter(|(_, s)| matches!(s, LineState::Created)).count()
    }

    /// The line number that stopped the run, and why.
    pub fn failure(&self) -> Option<(usize, &E)> {
        self.lines.iter().find_map(|(l, s)| if let LineState::Failed(e) = s { Some((l.line, e)) } else { None })
    }

    /// The created lines' numbers as ranges (`1–25`).
    pub fn created_ranges(&self) -> String {
        self.ranges(|s| matches!(s, LineState::Created))
    }

    /// The numbers of the lines the run did not create (`26–50`).
    pub fn not_created_ranges(&self) -> String {
        self.ranges(|s| matches!(s, LineState::Failed(_) | LineState::Waiting))
    }

    fn ranges(&self, pick: impl Fn(&LineState<E>) -> bool) -> String {
        ranges(self.lines.iter().filter(|(_, s)| pick(s)).map(|(l, _)| l.line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use prost::Message;
    use schet_api::pb;

    type Import = BulkImport<&'static str>;

    /// A service that holds the queue and fails on chosen lines.
    struct Service {
        list: Vec<pb::InvoiceSecret>,
        next: u64,
    }

    impl Service {
        fn new() -> Self {
            Service { list: Vec::new(), next: 1 }
        }

        fn create(&mut self, line: &SecretLine) -> Secrets {
            self.list.push(pb::InvoiceSecret {
                id: self.next,
                text: line.text.clone(),
                images: line.images.clone(),
                order: self.next as u32,
                ..Default::default()
            });
            self.next += 1;
            self.now()
        }

        fn now(&self) -> Secrets {
            Secrets::from_list(self.list.clone())
        }

        fn texts(&self) -> Vec<String> {
            self.list.iter().map(|s| s.text.clone()).collect()
        }
    }

    /// One run: lines in `fail_at` (by line number) fail; `lost` ones are created but their
    /// answer is lost. Returns the draft a reload would find.
    fn run(import: &mut Import, service: &mut Service, text: &str, fail_at: &[usize], lost: &[usize]) -> BulkDraft {
        import.reconcile(&service.now());
        for i in import.start() {
            let line = import.line(i).clone();
            if lost.contains(&line.line) {
                service.create(&line);
                import.failed(i, "no answer", true);
                break;
            }
            if fail_at.contains(&line.line) {
                import.failed(i, "refused", false);
                break;
            }
            let now = service.create(&line);
            import.created(i, &now);
        }
        import.draft(text.to_string())
    }

    fn reload(draft: BulkDraft) -> Import {
        BulkImport::restore(BulkDraft::decode(&draft.encode_to_vec()[..]).unwrap())
    }

    #[test]
    fn a_failure_stops_the_run_and_a_retry_sends_only_the_rest() {
        let text = "A\nB\n\nC\nD";
        let mut service = Service::new();
        let mut import = Import::default();
        import.preview(text);
        assert_eq!((import.total(), import.done()), (4, 0));
        run(&mut import, &mut service, text, &[4], &[]);
        assert_eq!(import.failure(), Some((4, &"refused")));
        assert_eq!((import.created_ranges().as_str(), import.not_created_ranges().as_str()), ("1–2", "4–5"));
        assert!(!import.is_complete());
        run(&mut import, &mut service, text, &[], &[]);
        assert_eq!(service.texts(), ["A", "B", "C", "D"]);
        assert!(import.is_complete() && import.failure().is_none());
        assert!(import.start().is_empty(), "a third run has nothing to send");
    }

    #[test]
    fn lines_breaking_a_rule_are_never_sent() {
        let text = format!("A\n{}\nC", "x".repeat(4001));
        let mut service = Service::new();
        let mut import = Import::default();
        import.preview(&text);
        assert!(matches!(import.lines()[1].1, LineState::Invalid(_)));
        run(&mut import, &mut service, &text, &[], &[]);
        assert_eq!(service.texts(), ["A", "C"]);
        assert!(import.is_complete());
        assert_eq!((import.total(), import.done()), (2, 2));
    }

    #[test]
    fn a_create_whose_answer_was_lost_is_not_sent_again_even_after_a_reload() {
        let text = "A\nB\nC";
        let mut service = Service::new();
        let mut import = Import::default();
        import.preview(text);
        let draft = run(&mut import, &mut service, text, &[], &[2]);
        let mut import = reload(draft);
        assert_eq!(import.lines().iter().filter(|(_, s)| *s == LineState::Created).count(), 1, "line 1");
        run(&mut import, &mut service, text, &[], &[]);
        assert_eq!(service.texts(), ["A", "B", "C"], "B went through the first time");
        assert!(import.is_complete());
    }

    #[test]
    fn an_unanswered_create_that_did_not_go_through_is_sent() {
        let text = "A\nB";
        let mut service = Service::new();
        let mut import = Import::default();
        import.preview(text);
        import.reconcile(&service.now());
        let todo = import.start();
        let line = import.line(todo[0]).clone();
        let now = service.create(&line);
        import.created(todo[0], &now);
        import.failed(todo[1], "no answer", true);
        run(&mut import, &mut service, text, &[], &[]);
        assert_eq!(service.texts(), ["A", "B"]);
    }

    proptest! {
        /// Whatever fails, and however often the page reloads, retrying until done creates every
        /// good line exactly once, in order.
        #[test]
        fn retries_create_each_line_once_in_order(
            n in 1usize..12,
            faults in proptest::collection::vec((1usize..12, any::<bool>(), any::<bool>()), 0..8),
        ) {
            let names: Vec<String> = (1..=n).map(|i| format!("CODE-{i}")).collect();
            let text = names.join("\n");
            let mut service = Service::new();
            let mut import = Import::default();
            import.preview(&text);
            for (line, lost, reload_after) in faults {
                let draft = if lost {
                    run(&mut import, &mut service, &text, &[], &[line])
                } else {
                    run(&mut import, &mut service, &text, &[line], &[])
                };
                if reload_after {
                    import = reload(draft);
                }
            }
            run(&mut import, &mut service, &text, &[], &[]);
            prop_assert!(import.is_complete());
            prop_assert_eq!(service.texts(), names);
        }
    }
}
