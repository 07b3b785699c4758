//! Where a person may be in a form: the server keeps the position. A page can be
//! opened only when every page shown before it is complete; the review page only
//! when all shown pages are.
use std::collections::BTreeSet;

use super::answers::{visible_pages, Answers};
use super::definition::{FormDef, Page};

/// The state of a draft that navigation depends on.
pub struct Position<'a> {
    pub form: &'a FormDef,
    pub answers: &'a Answers,
    /// Ids of the pages completed (passed "Next" with valid answers).
    pub done: &'a BTreeSet<String>,
}

impl<'a> Position<'a> {
    pub fn pages(&self) -> Vec<&'a Page> {
        visible_pages(self.form, self.answers)
    }

    /// 1-based step number and the number of steps, for "Step N of M".
    pub fn step(&self, page_id: &str) -> Option<(usize, usize)> {
        let pages = self.pages();
        pages
            .iter()
            .position(|p| p.id == page_id)
            .map(|i| (i + 1, pages.len()))
    }

    /// Whether the page is shown and every shown page before it is complete.
    pub fn may_open(&self, page_id: &str) -> bool {
        let pages = self.pages();
        match pages.iter().position(|p| p.id == page_id) {
            Some(i) => pages[..i].iter().all(|p| self.done.contains(&p.id)),
            None => false,
        }
    }

    /// The first shown page not yet complete: where "continue" takes the person.
    /// None means every page is complete and the review page is next.
    pub fn first_incomplete(&self) -> Option<&'a Page> {
        self.pages()
            .into_iter()
            .find(|p| !self.done.contains(&p.id))
    }

    pub fn next_after(&self, page_id: &str) -> Option<&'a Page> {
        let pages = self.pages();
        let i = pages.iter().position(|p| p.id == page_id)?;
        pages.get(i + 1).copied()
    }

    pub fn previous_before(&self, page_id: &str) -> Option<&'a Page> {
        let pages = self.pages();
        let i = pages.iter().position(|p| p.id == page_id)?;
        i.checked_sub(1).map(|j| pages[j])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::forms::{load_all, SHIPPED};

    #[test]
    fn pages_open_in_order_and_conditional_pages_count_only_when_shown() {
        let forms = load_all(SHIPPED).unwrap();
        let visa = forms.iter().find(|f| f.id == "visit-visa").unwrap();
        let answers = Answers::new();
        let mut done = BTreeSet::new();
        let at = |done: &BTreeSet<String>| {
            Position {
                form: visa,
                answers: &answers,
                done,
            }
            .first_incomplete()
            .map(|p| p.id.clone())
        };
        let pos = Position {
            form: visa,
            answers: &answers,
            done: &done,
        };
        assert!(pos.may_open("applicant"));
        assert!(
            !pos.may_open("travel"),
            "not before the earlier pages are complete"
        );
        assert!(!pos.may_open("no-such-page"));
        assert_eq!(pos.step("passport"), Some((2, 4)));
        done.insert("applicant".to_string());
        assert_eq!(at(&done).as_deref(), Some("passport"));
        let pos = Position {
            form: visa,
            answers: &answers,
            done: &done,
        };
        assert!(pos.may_open("passport") && !pos.may_open("stay"));
        assert_eq!(pos.next_after("applicant").unwrap().id, "passport");
        assert_eq!(pos.previous_before("passport").unwrap().id, "applicant");
        assert!(pos.previous_before("applicant").is_none());
        for p in ["passport", "travel", "stay"] {
            done.insert(p.to_string());
        }
        assert_eq!(at(&done), None, "all done: the review page is next");
    }
}
