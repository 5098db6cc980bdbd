//! Provisioning many workspaces ([`Workspaces::create_many`]): each created with
//! its budgets and members, and a create whose answer was lost never duplicated.
//!
//! # A create whose answer was lost
//! `createWorkspace` is a POST: when its answer does not arrive (the connection dropped after sending, a timeout,
//! a `5xx`, a success body that did not decode), the workspace may or may not exist, and replaying the POST could
//! create a second one. The slug settles it, since the API keeps slugs unique: the workspace is looked up by its
//! slug (a GET, retried as GETs are). Found: it is reported as created ([`Provisioned::recovered`]), and the job
//! goes on with its budgets and members. Not found: the create did not happen and is sent again (up to the retry
//! policy's `max_attempts` in all); should the first one land meanwhile, the new one fails on the taken slug, and
//! one more lookup finds it. When even the lookup fails, the item fails with
//! [`ProvisionError::outcome_unknown`] set: look the slug up before trying that item again.

use futures_util::future::BoxFuture;

use crate::Workspace;
use crate::WorkspaceBudget;
use crate::bulk::{Bulk, exact_len};
use crate::enums::BudgetInterval;
use crate::error::Error;
use crate::limits;
use crate::pagination::count;
use crate::requests::{BudgetLimit, CreateWorkspace};
use crate::retries::policy::RetryPolicy;
use crate::workspaces::Workspaces;

/// One workspace to provision: what to create, then the budgets to set and the members to add.
///
/// ```
/// use openrouter_workspaces::{BudgetInterval, CreateWorkspace, NewWorkspace};
///
/// let new = NewWorkspace::new(CreateWorkspace::new("Acme", "acme"))
///     .budget(BudgetInterval::Monthly, 100.0)
///     .members(["user_alice", "user_bob"]);
/// assert_eq!(new.budgets.len(), 1);
/// // A bare CreateWorkspace is a NewWorkspace with no budget and no member.
/// let bare: NewWorkspace = CreateWorkspace::new("Beta", "beta").into();
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct NewWorkspace {
    /// The workspace to create. Its slug names the item in the job's results.
    pub workspace: CreateWorkspace,
    /// Budgets to set once it exists, in this order (limits must strictly decrease as the interval narrows).
    pub budgets: Vec<(BudgetInterval, BudgetLimit)>,
    /// Organization members to add once it exists (in requests of at most
    /// [`limits::BULK_ADD_WORKSPACE_MEMBERS_USER_IDS_MAX_ITEMS`](crate::limits) ids).
    pub members: Vec<String>,
}

impl NewWorkspace {
    /// A workspace to create, with no budget and no member yet.
    pub fn new(workspace: CreateWorkspace) -> Self {
        NewWorkspace { workspace, budgets: Vec::new(), members: Vec::new() }
    }

    /// Also sets this budget once the workspace exists.
    pub fn budget(mut self, interval: BudgetInterval, limit: impl Into<BudgetLimit>) -> Self {
        self.budgets.push((interval, limit.into()));
        self
    }

    /// Also adds these organization members once the workspace exists.
    pub fn members<I, S>(mut self, user_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.members.extend(user_ids.into_iter().map(Into::into));
        self
    }
}

impl From<CreateWorkspace> for NewWorkspace {
    fn from(workspace: CreateWorkspace) -> Self {
        NewWorkspace::new(workspace)
    }
}

/// A workspace provisioned by [`create_many`](crate::Workspaces::create_many), with everything asked for.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Provisioned {
    /// The workspace, as the create answered (or the lookup found it).
    pub workspace: Workspace,
    /// Whether the create's answer was lost and the workspace was found by its slug instead (it was created
    /// once, by this job).
    pub recovered: bool,
    /// The budgets set, in the order asked.
    pub budgets: Vec<WorkspaceBudget>,
    /// How many memberships the member additions created or updated.
    pub members_added: u64,
}

/// The step of provisioning that failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProvisionStep {
    /// Creating the workspace.
    Create,
    /// Setting the budget of this interval.
    Budget(BudgetInterval),
    /// Adding members.
    Members,
}

/// Why one workspace of [`create_many`](crate::Workspaces::create_many) was not fully provisioned.
#[derive(Debug)]
#[non_exhaustive]
pub struct ProvisionError {
    /// The step that failed; the steps before it succeeded, the ones after it were not tried.
    pub step: ProvisionStep,
    /// The workspace, when it exists (a later step failed): do not create it again, finish its setup.
    pub workspace: Option<Workspace>,
    /// Whether the create may have happened without its answer arriving, and the lookup by slug failed too:
    /// look the slug up before trying this item again.
    pub outcome_unknown: bool,
    /// What failed.
    pub error: Error,
}

impl std::fmt::Display for ProvisionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.step {
            ProvisionStep::Create => write!(f, "creating the workspace failed: {}", self.error)?,
            ProvisionStep::Budget(interval) => write!(f, "setting its {interval} budget failed: {}", self.error)?,
            ProvisionStep::Members => write!(f, "adding its members failed: {}", self.error)?,
        }
        if let Some(ws) = &self.workspace {
            write!(f, " (workspace {} exists, id {}: finish its setup rather than creating it again)", ws.slug, ws.id)?;
        }
        if self.outcome_unknown {
            f.write_str(" (the create may have happened: look the slug up before trying again)")?;
        }
        Ok(())
    }
}

impl std::error::Error for ProvisionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl Workspaces {
    /// Provisions many workspaces: creates each one, then sets its budgets and adds its members (see
    /// [`NewWorkspace`]), with at most [`concurrency`](Bulk::concurrency) workspaces in progress at once. A
    /// [`Bulk`] job: lazy, one [`BulkItem`](crate::BulkItem) per workspace keyed by its slug, in completion order
    /// ([`Bulk::collect`] for input order); one workspace's failure does not stop the others.
    ///
    /// Nothing is created twice: a create is never replayed blindly (whatever the client's
    /// [`retry_non_idempotent`](crate::RetryPolicy::retry_non_idempotent) says); when its answer is lost, the
    /// workspace is looked up by its slug before the create is sent again, and reported as
    /// [`recovered`](Provisioned::recovered) if it exists. A failure says which step failed and whether the
    /// workspace exists ([`ProvisionError`]). Requests share the client's retry budget and its rate limiter: a job
    /// that meets a `429` slows down as a whole.
    ///
    /// Under a rate limit, whatever its shape (a fixed window with `X-RateLimit-*` headers, a token bucket whose
    /// `429`s point to the next token, a whole-seconds `Retry-After`, a bare `429`), no step fails for a `429`
    /// while its call has time. A `429` means the request was not processed, so a create refused with `429` is
    /// sent again as it is (no lookup needed: nothing was created), and so are budget and member steps. The job
    /// settles at about the server's rate; `cargo xtask bench` W6 measures it against each shape (see
    /// [`Bulk`'s "Under a rate limit"](Bulk#under-a-rate-limit)).
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_workspaces::Client) {
    /// use futures_util::StreamExt;
    /// use openrouter_workspaces::{BudgetInterval, CreateWorkspace, NewWorkspace};
    ///
    /// let customers = ["acme", "globex", "initech"];
    /// let job = client.workspaces().create_many(customers.map(|slug| {
    ///     NewWorkspace::new(CreateWorkspace::new(slug.to_uppercase(), slug)).budget(BudgetInterval::Monthly, 50.0)
    /// }));
    /// let mut results = job.concurrency(16).stream();
    /// while let Some(item) = results.next().await {
    ///     match item.result {
    ///         Ok(done) => println!("{} ready ({})", item.key, done.workspace.id),
    ///         Err(e) => eprintln!("{}: {e}", item.key),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn create_many<I>(&self, workspaces: I) -> Bulk<String, Provisioned, ProvisionError>
    where
        I: IntoIterator,
        I::Item: Into<NewWorkspace>,
        I::IntoIter: Send + 'static,
    {
        let creates = self.client().with_retry_policy(create_policy(self.client().retry_policy())).workspaces();
        let steps = self.clone();
        let items = workspaces.into_iter();
        let total = exact_len(items.size_hint());
        let jobs = items.map(move |item| {
            let new: NewWorkspace = item.into();
            let slug = new.workspace.slug.clone();
            let job: BoxFuture<'static, std::result::Result<Provisioned, ProvisionError>> =
                Box::pin(provision(creates.clone(), steps.clone(), new));
            (slug, job)
        });
        Bulk::new(jobs, total)
    }
}

/// The retry policy of `create_many`'s creates: the client's, except that a create is never replayed blindly
/// (the lookup by slug replaces the replay).
pub(crate) fn create_policy(policy: &RetryPolicy) -> RetryPolicy {
    policy.clone().retry_non_idempotent(false)
}

/// Provisions one workspace. `workspaces` runs the creates (with [`create_policy`]); `steps` the rest.
pub(crate) async fn provision(
    workspaces: Workspaces,
    steps: Workspaces,
    new: NewWorkspace,
) -> Result<Provisioned, ProvisionError> {
    let NewWorkspace { workspace: request, budgets, members } = new;
    let max_tries = workspaces.client().retry_policy().get_max_attempts();
    let (workspace, recovered) = create_once(&workspaces, request, max_tries).await?;
    let failed = |step: ProvisionStep, error: Error, workspace: &Workspace| ProvisionError {
        step,
        workspace: Some(workspace.clone()),
        outcome_unknown: false,
        error,
    };
    let mut set = Vec::with_capacity(budgets.len());
    for (interval, limit) in budgets {
        match steps.budgets(&workspace.id).set(interval.clone(), limit).await {
            Ok(budget) => set.push(budget),
            Err(e) => return Err(failed(ProvisionStep::Budget(interval), e, &workspace)),
        }
    }
    let mut added = 0u64;
    for chunk in members.chunks(limits::BULK_ADD_WORKSPACE_MEMBERS_USER_IDS_MAX_ITEMS.max(1)) {
        match steps.members(&workspace.id).add(chunk.to_vec()).await {
            Ok(out) => added = added.saturating_add(count(out.added_count)),
            Err(e) => return Err(failed(ProvisionStep::Members, e, &workspace)),
        }
    }
    Ok(Provisioned { workspace, recovered, budgets: set, members_added: added })
}

/// Whether a failed create may have created the workspace anyway: its answer was lost after it was sent.
fn outcome_unknown(error: &Error) -> bool {
    match error {
        Error::Timeout(t) | Error::Connection(t) => !t.before_send,
        // A success status whose body did not decode: created.
        Error::Decode(_) => true,
        Error::Server(_) => true,
        _ => false,
    }
}

/// Creates the workspace at most once (see the module's docs); the workspace and whether it was recovered.
async fn create_once(
    workspaces: &Workspaces,
    request: CreateWorkspace,
    max_tries: u32,
) -> Result<(Workspace, bool), ProvisionError> {
    let fail = |error: Error, outcome_unknown: bool| ProvisionError {
        step: ProvisionStep::Create,
        workspace: None,
        outcome_unknown,
        error,
    };
    let slug = request.slug.clone();
    let mut tries = 0u32;
    // Whether an earlier create of this item was sent and its outcome is unknown.
    let mut in_doubt = false;
    loop {
        tries = tries.saturating_add(1);
        let error = match workspaces.create(request.clone()).await {
            Ok(workspace) => return Ok((workspace, false)),
            Err(error) => error,
        };
        // After a create in doubt, a 400 may be the taken slug of that very create.
        let doubt = outcome_unknown(&error) || (in_doubt && matches!(error, Error::BadRequest(_)));
        if !doubt {
            return Err(fail(error, false));
        }
        tracing::info!(slug = slug.as_str(), error = %error, "create's outcome unknown; looking the slug up");
        match workspaces.get(slug.as_str()).await {
            Ok(found) => return Ok((found, true)),
            Err(lookup) if lookup.status() == Some(404) => {}
            Err(lookup) => {
                tracing::warn!(slug = slug.as_str(), error = %lookup, "looking the slug up failed");
                return Err(fail(error, true));
            }
        }
        // Not there: the create did not happen, and may be sent again.
        if tries >= max_tries {
            return Err(fail(error, false));
        }
        in_doubt = true;
    }
}
