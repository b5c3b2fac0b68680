//! A release's tracking issue: found again (or opened), its body edited as
//! it is at that moment (a human's edits of it stay), closed once its
//! release is done.

use super::Executor;
use crate::adapters::forge::{Issue, IssueState, PrState};
use crate::core::tracking::{self, Edit};
use crate::plan::IssueEdit;
use anyhow::{Result, bail};

impl Executor<'_> {
    pub(super) fn issue(&self, i: &IssueEdit) -> Result<()> {
        let forge = self.forge()?;
        let issue = match forge.find_issue(&i.title, &i.marker)? {
            IssueState::Found(issue) => issue,
            IssueState::Missing => {
                let number = forge.create_issue(&i.title, &i.body)?;
                crate::output::say("Opened", &format!("issue #{number}: {}", i.title));
                Issue {
                    number,
                    title: i.title.clone(),
                    body: i.body.clone(),
                }
            }
            IssueState::Unsupported => {
                bail!("internal error: a tracking issue on a forge without issues")
            }
        };
        let edits = self.linked(i)?;
        let body = tracking::edit(&issue.body, &edits);
        if body != issue.body {
            forge.update_issue(issue.number, Some(&body), false)?;
            crate::output::say(
                "Updated",
                &format!("issue #{}: {}", issue.number, issue.title),
            );
        }
        if i.close && tracking::is_complete(&body) {
            forge.update_issue(issue.number, None, true)?;
            crate::output::say(
                "Closed",
                &format!("issue #{}: {}", issue.number, issue.title),
            );
        }
        Ok(())
    }

    /// The edits with `{pr}` filled by each linked pull request's number;
    /// a line whose pull request is not open is left out.
    fn linked(&self, i: &IssueEdit) -> Result<Vec<Edit>> {
        let forge = self.forge()?;
        let mut out = Vec::new();
        for e in &i.edits {
            let link = match e {
                Edit::Add { key, .. } => i.links.iter().find(|(k, _, _)| k == key),
                Edit::Tick(_) => None,
            };
            let Some((_, head, base)) = link else {
                out.push(e.clone());
                continue;
            };
            let Edit::Add {
                key,
                under,
                text,
                done,
            } = e
            else {
                unreachable!("only an added line has a link")
            };
            match forge.pull_request(head, base)? {
                PrState::Open(n) => out.push(Edit::Add {
                    key: key.clone(),
                    under: under.clone(),
                    text: text.replace("{pr}", &forge.pull_request_ref(n)),
                    done: *done,
                }),
                PrState::Missing | PrState::Untracked => {}
            }
        }
        Ok(out)
    }
}
