//! Provisioning many workspaces ([`Workspaces::create_many`]): each created with
//! its budgets, members and API key, a create whose answer was lost never duplicated, and a job that can be run again.
//!
//! # A create whose answer was lost
//! `createWorkspace` is a POST: when its answer does not arrive (the connection dropped after sending, a timeout,
//! a `5xx`, a success body that did not decode), the workspace may or may not exist, and replaying the POST could
//! create a second one. The slug settles it, since the API keeps slugs unique: the workspace is looked up by its
//! slug (a GET, retried as GETs are). Found, with the name asked for: it is reported as created
//! ([`WorkspaceOrigin::Recovered`]), and the job goes on with its budgets and members. Not found: the create did
//! not happen and is sent again (up to the retry policy's `max_attempts` in all); should the first one land
//! meanwhile, the new one fails on the taken slug, and one more lookup finds it. When even the lookup fails, the
//! item fails with [`ProvisionError::outcome_unknown`] set: look the slug up before trying that item again.
//!
//! # Running a job again
//! With [`IfExists::AdoptSameName`] (or [`IfExists::Adopt`]) on its items, a job converges: run it again after a
//! crash, a kill or a partial failure, and each item whose slug exists is adopted
//! ([`WorkspaceOrigin::Adopted`]) instead of failing with `400`. The slug is looked up before anything is
//! created; an adopted workspace's budgets are read and only those missing or different are set, its members are
//! read and only those missing are added. Running a finished job again sends reads only.
//!
//! Adoption is opt-in, and by default it also wants the name to match, because a slug is typed by hand: a user who
//! mistypes `acme` for `acme-eu` must not set budgets on another team's workspace and add members to it (which
//! grants them access). With [`IfExists::Fail`] (the default) a taken slug fails its item, as a plain create does.
//!
//! # The API key step
//! [`NewWorkspace::api_key`] adds a last step: an API key created in the workspace, whose secret comes back once,
//! in [`ProvisionedKey::secret`]. A key's name is not unique, so nothing would stop a replayed create from minting a
//! second key: `createApiKey` is never replayed. When its answer is lost, the workspace's keys (disabled ones
//! included) are looked up by the name asked for before anything else: found, the key is reported
//! [`KeyOrigin::Recovered`], without its secret, which the API shows only in the lost answer (roll it: create
//! another key and delete this one). Not found, the item fails (the create did not happen; running the job again
//! creates it). In an adopted workspace the key is looked up by name first, and one found is reported
//! [`KeyOrigin::Existing`], without its secret (the API never shows a secret again), and not created again.
use std::collections::HashSet;

use futures_util::TryStreamExt as _;
use futures_util::future::BoxFuture;

use crate::ApiKey;
use crate::Workspace;
use crate::WorkspaceBudget;
use crate::bulk::{Bulk, exact_len};
use crate::enums::BudgetInterval;
use crate::error::Error;
use crate::limits;
use crate::pagination::count;
use crate::requests::{BudgetLimit, CreateKey, CreateWorkspace};
use crate::retries::policy::RetryPolicy;
use crate::secret::Secret;
use crate::workspaces::Workspaces;

/// One workspace to provision: what to create, then the budgets to set and the members to add.
///
/// ```
/// use openrouter_workspaces::{BudgetInterval, CreateWorkspace, IfExists, NewWorkspace};
///
/// let new = NewWorkspace::new(CreateWorkspace::new("Acme", "acme"))
///     .budget(BudgetInterval::Monthly, 100.0)
///     .members(["user_alice", "user_bob"])
///     .if_exists(IfExists::AdoptSameName); // a job that can be run again
/// assert_eq!(new.budgets.len(), 1);
/// // A bare CreateWorkspace is a NewWorkspace with no budget and no member.
/// let bare: NewWorkspace = CreateWorkspace::new("Beta", "beta").into();
/// assert_eq!(bare.if_exists, IfExists::Fail);
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
    /// What to do when the slug is already taken: fail (the default) or adopt the workspace that has it.
    pub if_exists: IfExists,
    /// An API key to create in the workspace once its budgets and members are set (see
    /// [`api_key`](Self::api_key)); `None` for none.
    pub api_key: Option<CreateKey>,
}

/// What [`create_many`](crate::Workspaces::create_many) does with an item whose slug is already taken (see
/// [`NewWorkspace::if_exists`]).
///
/// Adoption makes a job one you can run again (after a crash, or to finish what failed): the items already done
/// cost reads only. It is opt-in because a slug is typed by hand, and adopting a workspace sets its budgets and
/// adds members to it: a mistyped slug that belongs to another team's workspace must not be taken over silently.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IfExists {
    /// The item fails with the API's `400` (the slug is in use), as a plain create does. Nothing is read first.
    #[default]
    Fail,
    /// Adopt the existing workspace when its name is the one asked for; otherwise the item fails with
    /// [`Error::InvalidInput`] naming the workspace that holds the slug, and nothing is written. The slug is
    /// looked up before creating (one `GET` per item).
    AdoptSameName,
    /// Adopt the existing workspace whatever its name. The slug is looked up before creating (one `GET` per item).
    Adopt,
}

impl IfExists {
    fn adopts(self) -> bool {
        self != IfExists::Fail
    }
}

impl NewWorkspace {
    /// A workspace to create, with no budget and no member yet, failing if its slug is taken.
    pub fn new(workspace: CreateWorkspace) -> Self {
        NewWorkspace { workspace, budgets: Vec::new(), members: Vec::new(), if_exists: IfExists::Fail, api_key: None }
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

    /// What to do when the slug is already taken (default [`IfExists::Fail`]).
    pub fn if_exists(mut self, if_exists: IfExists) -> Self {
        self.if_exists = if_exists;
        self
    }

    /// Also creates this API key in the workspace, last (its `workspace_id` is the workspace's; leave it unset).
    /// Its secret comes back once, in [`Provisioned::api_key`]. In an adopted workspace, a key of this name (disabled
    /// or not) is looked up first and, if there is one, reported [`KeyOrigin::Existing`] and not created again:
    /// the secret of a key that exists already cannot be shown again. Replaces a key asked for before.
    ///
    /// ```
    /// use openrouter_workspaces::{CreateKey, CreateWorkspace, NewWorkspace};
    ///
    /// let new = NewWorkspace::new(CreateWorkspace::new("Acme", "acme")).api_key(CreateKey::new("ci").limit(25.0));
    /// assert!(new.api_key.is_some());
    /// ```
    pub fn api_key(mut self, key: CreateKey) -> Self {
        self.api_key = Some(key);
        self
    }
}

impl From<CreateWorkspace> for NewWorkspace {
    fn from(workspace: CreateWorkspace) -> Self {
        NewWorkspace::new(workspace)
    }
}

/// How the workspace of a [`Provisioned`] item came to exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WorkspaceOrigin {
    /// This job created it, and the create answered.
    Created,
    /// This job created it, the create's answer was lost, and the workspace was found by its slug.
    Recovered,
    /// It existed before this job asked for it (an earlier run of the job, or someone else), and was adopted
    /// ([`IfExists`]): its budgets and members were brought to what was asked, its other settings left as they are.
    Adopted,
}

/// A workspace provisioned by [`create_many`](crate::Workspaces::create_many), with everything asked for.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Provisioned {
    /// The workspace, as the create answered (or the lookup found it).
    pub workspace: Workspace,
    /// Whether the create's answer was lost and the workspace was found by its slug instead (it was created
    /// once, by this job): the same as `origin == WorkspaceOrigin::Recovered`.
    pub recovered: bool,
    /// Whether this job created the workspace or adopted an existing one.
    pub origin: WorkspaceOrigin,
    /// The budgets asked for, as they are now, in the order asked: set by this job, or (for an adopted workspace)
    /// found already as asked.
    pub budgets: Vec<WorkspaceBudget>,
    /// How many memberships the member additions created or updated (0 when every member asked for was one
    /// already).
    pub members_added: u64,
    /// The API key asked for with [`NewWorkspace::api_key`] (`None` when none was asked): with its secret when this
    /// job created it and the answer arrived, the only time the API shows it.
    pub api_key: Option<ProvisionedKey>,
}

/// The API key of a [`Provisioned`] workspace ([`NewWorkspace::api_key`]).
///
/// Its `Debug` shows the secret as `[REDACTED]` (see [`Secret`]): store it with `secret.expose_secret()`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ProvisionedKey {
    /// The key (its hash is its id), as the create answered or the lookup by name found it.
    pub key: ApiKey,
    /// The key's secret: `Some` only when [`origin`](Self::origin) is [`KeyOrigin::Created`]. The API shows a
    /// secret once, in the create's answer, so the secret of a key found by name (recovered or existing) cannot be
    /// shown again; to use such a key without its secret, create another one and delete this one.
    pub secret: Option<Secret>,
    /// How the key came to exist.
    pub origin: KeyOrigin,
}

/// How the API key of a [`Provisioned`] workspace came to exist ([`ProvisionedKey::origin`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyOrigin {
    /// This job created it, and the create answered: its secret is in [`ProvisionedKey::secret`].
    Created,
    /// This job created it, the create's answer was lost, and the key was found by its name in the workspace. Its
    /// secret was in the lost answer and cannot be shown again.
    Recovered,
    /// A key of this name was in the (adopted) workspace already, from an earlier run of the job or someone else:
    /// it was not created again, and its secret cannot be shown again.
    Existing,
}

/// The step of provisioning that failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProvisionStep {
    /// Creating the workspace (or looking its slug up, or adopting it).
    Create,
    /// Setting the budget of this interval (for an adopted workspace, reading its budgets counts as setting the
    /// first one asked).
    Budget(BudgetInterval),
    /// Adding members (for an adopted workspace, reading its members too).
    Members,
    /// Creating the API key (or looking it up by name); see [`NewWorkspace::api_key`].
    ApiKey,
}

/// Why one workspace of [`create_many`](crate::Workspaces::create_many) was not fully provisioned.
#[derive(Debug)]
#[non_exhaustive]
pub struct ProvisionError {
    /// The step that failed; the steps before it succeeded, the ones after it were not tried.
    pub step: ProvisionStep,
    /// The workspace, when it exists (a later step failed): do not create it again, finish its setup.
    pub workspace: Option<Workspace>,
    /// Whether the create (of the workspace, or of its API key when `step` is [`ProvisionStep::ApiKey`]) may have
    /// happened without its answer arriving, and the lookup (by slug, or by key name) failed too: look it up before
    /// trying this item again.
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
            ProvisionStep::ApiKey => write!(f, "creating its API key failed: {}", self.error)?,
        }
        if let Some(ws) = &self.workspace {
            write!(f, " (workspace {} exists, id {}: finish its setup rather than creating it again)", ws.slug, ws.id)?;
        }
        if self.outcome_unknown && self.step == ProvisionStep::ApiKey {
            f.write_str(" (the key may have been created: list the workspace's keys, disabled ones included, before trying again)")?;
        } else if self.outcome_unknown {
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
    /// Provisions many workspaces: creates each one, then sets its budgets, adds its members and creates its API key
    /// (see [`NewWorkspace`]; a created key's secret comes back once, in [`Provisioned::api_key`]), with at most [`concurrency`](Bulk::concurrency) workspaces in progress at once. A
    /// [`Bulk`] job: lazy, one [`BulkItem`](crate::BulkItem) per workspace keyed by its slug, in completion order
    /// ([`Bulk::collect`] for input order); one workspace's failure does not stop the others.
    ///
    /// Nothing is created twice: a create is never replayed blindly (whatever the client's
    /// [`retry_non_idempotent`](crate::RetryPolicy::retry_non_idempotent) says); when its answer is lost, the
    /// workspace is looked up by its slug before the create is sent again, and reported as
    /// [`WorkspaceOrigin::Recovered`] if it exists. A failure says which step failed and whether the workspace
    /// exists ([`ProvisionError`]). Requests share the client's retry budget and its view of the rate limit: a job
    /// that meets a `429` slows down as a whole.
    ///
    /// # Running it again
    /// Items marked [`IfExists::AdoptSameName`] (or [`IfExists::Adopt`]) make the job one you can run again,
    /// unchanged, after it crashed or was killed halfway: each slug is looked up first; an existing workspace is
    /// adopted ([`WorkspaceOrigin::Adopted`]), its budgets and members are read, and only the budgets missing or
    /// different and the members missing are written. A finished job run again sends only reads: one `GET` of the
    /// workspace, one of its budgets (if any are asked), the pages of its members (if any are asked) and the pages
    /// of its keys until the one asked is found (if one is asked) per item.
    /// Adoption leaves the workspace's own settings (name, description, defaults) as they are. Without it (the
    /// default, [`IfExists::Fail`]), an item whose slug is taken fails with the API's `400`: a mistyped slug never
    /// changes a workspace this job did not create.
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
    /// use openrouter_workspaces::{BudgetInterval, CreateWorkspace, IfExists, NewWorkspace, WorkspaceOrigin};
    ///
    /// let customers = ["acme", "globex", "initech"];
    /// let job = client.workspaces().create_many(customers.map(|slug| {
    ///     NewWorkspace::new(CreateWorkspace::new(slug.to_uppercase(), slug))
    ///         .budget(BudgetInterval::Monthly, 50.0)
    ///         .if_exists(IfExists::AdoptSameName) // run it again after a crash: it finishes what is left
    /// }));
    /// let mut results = job.concurrency(16).stream();
    /// while let Some(item) = results.next().await {
    ///     match item.result {
    ///         Ok(done) if done.origin == WorkspaceOrigin::Adopted => println!("{} was there already", item.key),
    ///         Ok(done) => println!("{} created ({})", item.key, done.workspace.id),
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
    let NewWorkspace { workspace: request, budgets, members, if_exists, api_key } = new;
    let max_tries = workspaces.client().retry_policy().get_max_attempts();
    let (workspace, origin) = obtain(&workspaces, request, if_exists, max_tries).await?;
    let failed_in_doubt = |step: ProvisionStep, error: Error, outcome_unknown: bool| ProvisionError {
        step,
        workspace: Some(workspace.clone()),
        outcome_unknown,
        error,
    };
    let failed = |step: ProvisionStep, error: Error| failed_in_doubt(step, error, false);
    // A workspace this job just created has no budget and no member to read.
    let existing = origin == WorkspaceOrigin::Adopted;
    let budgets = set_budgets(&steps, &workspace.id, budgets, existing).await.map_err(|(s, e)| failed(s, e))?;
    let members_added =
        add_members(&steps, &workspace.id, members, existing).await.map_err(|e| failed(ProvisionStep::Members, e))?;
    let api_key = match api_key {
        Some(key) => Some(
            provide_key(&workspaces, &steps, &workspace.id, key, existing)
                .await
                .map_err(|(e, unknown)| failed_in_doubt(ProvisionStep::ApiKey, e, unknown))?,
        ),
        None => None,
    };
    let recovered = origin == WorkspaceOrigin::Recovered;
    Ok(Provisioned { workspace, recovered, origin, budgets, members_added, api_key })
}

/// The API key asked for, in the workspace `id`: in an `existing` workspace, found by name if there is one;
/// otherwise created once by `creates` (whose policy never replays a create), and found by name when the create's
/// answer was lost (see the module's docs). On failure, the error and whether the key may have been created.
async fn provide_key(
    creates: &Workspaces,
    steps: &Workspaces,
    id: &str,
    asked: CreateKey,
    existing: bool,
) -> Result<ProvisionedKey, (Error, bool)> {
    let name = asked.name.clone();
    if existing && let Some(key) = find_key(steps, id, &name).await.map_err(|e| (e, false))? {
        return Ok(ProvisionedKey { key, secret: None, origin: KeyOrigin::Existing });
    }
    let error = match creates.keys(id).create(asked).await {
        Ok(created) => {
            return Ok(ProvisionedKey { key: created.data, secret: Some(created.key), origin: KeyOrigin::Created });
        }
        Err(error) => error,
    };
    if !outcome_unknown(&error) {
        return Err((error, false));
    }
    tracing::info!(workspace = id, key = name.as_str(), error = %error, "creating the key failed; looking it up by name");
    match find_key(steps, id, &name).await {
        Ok(Some(key)) => Ok(ProvisionedKey { key, secret: None, origin: KeyOrigin::Recovered }),
        // Not there: the create did not happen. It is not sent again: a key's name is not unique, and a first
        // create landing late would leave two keys.
        Ok(None) => Err((error, false)),
        Err(lookup) => {
            tracing::warn!(workspace = id, key = name.as_str(), error = %lookup, "looking the key up failed");
            Err((error, true))
        }
    }
}

/// The first key named `name` in the workspace `id`, disabled ones included (pages read until it is found).
async fn find_key(steps: &Workspaces, id: &str, name: &str) -> Result<Option<ApiKey>, Error> {
    let mut keys = steps.keys(id).include_disabled(true).list().items();
    while let Some(key) = keys.try_next().await? {
        if key.name == name {
            return Ok(Some(key));
        }
    }
    Ok(None)
}

/// Sets the budgets asked for, in order; of an `existing` workspace, reads them first and sets only those missing
/// or different, in an order that keeps the limits decreasing as the interval narrows at every step (see
/// [`write_order`]). The budgets as they are now, in the order asked.
async fn set_budgets(
    steps: &Workspaces,
    id: &str,
    asked: Vec<(BudgetInterval, BudgetLimit)>,
    existing: bool,
) -> Result<Vec<WorkspaceBudget>, (ProvisionStep, Error)> {
    let Some((first, _)) = asked.first() else { return Ok(Vec::new()) };
    let handle = steps.budgets(id);
    let current =
        if existing { Some(handle.list().await.map_err(|e| (ProvisionStep::Budget(first.clone()), e))?) } else { None };
    let mut out: Vec<Option<WorkspaceBudget>> = vec![None; asked.len()];
    // The writes still needed: position asked, interval, limit, and whether it lowers an existing limit.
    let mut writes = Vec::with_capacity(asked.len());
    for (pos, (interval, limit)) in asked.into_iter().enumerate() {
        let found = current.as_ref().and_then(|list| {
            let found = list
                .data
                .iter()
                .find(|b| BudgetInterval::from_reset_interval(b.reset_interval.as_ref()) == interval)?;
            let byok_as_asked = limit.include_byok_in_budgets.is_none()
                || limit.include_byok_in_budgets == list.include_byok_in_budgets;
            Some((found, same_usd(found.limit_usd, limit.limit_usd) && byok_as_asked))
        });
        match found {
            Some((budget, true)) => {
                if let Some(slot) = out.get_mut(pos) {
                    *slot = Some(budget.clone());
                }
            }
            found => {
                let lowers = found.is_some_and(|(budget, _)| limit.limit_usd < budget.limit_usd);
                writes.push((pos, interval, limit, lowers));
            }
        }
    }
    if existing {
        writes.sort_by_key(|(_, interval, _, lowers)| write_order(interval, *lowers));
    }
    for (pos, interval, limit, _) in writes {
        match handle.set(interval.clone(), limit).await {
            Ok(budget) => {
                if let Some(slot) = out.get_mut(pos) {
                    *slot = Some(budget);
                }
            }
            Err(e) => return Err((ProvisionStep::Budget(interval), e)),
        }
    }
    Ok(out.into_iter().flatten().collect())
}

/// When to write a budget of an existing workspace, so that every step keeps the API's rule (limits strictly
/// decrease as the interval narrows: lifetime > monthly > weekly > daily), given that the budgets asked for keep
/// it: first the limits that go down, narrowest interval first; then those that go up or are new, widest first;
/// then intervals this crate does not know the place of, in the order asked.
fn write_order(interval: &BudgetInterval, lowers: bool) -> (u8, i8) {
    let width = match interval {
        BudgetInterval::Daily => 0,
        BudgetInterval::Weekly => 1,
        BudgetInterval::Monthly => 2,
        BudgetInterval::Lifetime => 3,
        _ => return (2, 0),
    };
    if lowers { (0, width) } else { (1, -width) }
}

/// Whether two limits in US dollars are the same, up to the last bits a decimal round trip through JSON may change.
fn same_usd(a: f64, b: f64) -> bool {
    (a - b).abs() <= a.abs().max(b.abs()) * 1e-12
}

/// Adds the members asked for (each once); to an `existing` workspace, only those not members yet (read first).
/// How many memberships the additions created or updated.
async fn add_members(steps: &Workspaces, id: &str, asked: Vec<String>, existing: bool) -> Result<u64, Error> {
    if asked.is_empty() {
        return Ok(0);
    }
    let handle = steps.members(id);
    let mut skip: HashSet<String> =
        if existing { handle.list().collect().await?.into_iter().map(|m| m.user_id).collect() } else { HashSet::new() };
    // Each id once, in the order asked (`insert` is false for one already a member or already queued).
    let missing: Vec<String> = asked.into_iter().filter(|user| skip.insert(user.clone())).collect();
    let mut added = 0u64;
    for chunk in missing.chunks(limits::BULK_ADD_WORKSPACE_MEMBERS_USER_IDS_MAX_ITEMS.max(1)) {
        let out = handle.add(chunk.to_vec()).await?;
        added = added.saturating_add(count(out.added_count));
    }
    Ok(added)
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

/// The workspace whose slug is `slug`, if there is one.
async fn find(workspaces: &Workspaces, slug: &str) -> Result<Option<Workspace>, Error> {
    match workspaces.get(slug).await {
        // The path names an id or a slug: an id that happens to be this text is not the slug's workspace.
        Ok(found) => Ok((found.slug == slug).then_some(found)),
        Err(e) if e.status() == Some(404) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether `found`, which holds the slug asked for, may be taken over under `if_exists`.
fn adoptable(found: &Workspace, request: &CreateWorkspace, if_exists: IfExists) -> Result<(), Error> {
    let rule = match if_exists {
        IfExists::Adopt => return Ok(()),
        IfExists::AdoptSameName if found.name == request.name => return Ok(()),
        IfExists::AdoptSameName => {
            "is taken by a workspace of another name; not adopted (IfExists::AdoptSameName \
                                    wants the name asked for): check the slug, or adopt it with IfExists::Adopt"
        }
        IfExists::Fail => {
            "is taken by a workspace of another name, not the one this job created; to take it over, \
                           use IfExists::Adopt"
        }
    };
    Err(Error::invalid("slug", format!("{rule} (workspace {:?}, id {})", found.name, found.id), &request.slug))
}

/// The item's workspace: found by its slug and adopted when `if_exists` allows, or created at most once.
async fn obtain(
    workspaces: &Workspaces,
    request: CreateWorkspace,
    if_exists: IfExists,
    max_tries: u32,
) -> Result<(Workspace, WorkspaceOrigin), ProvisionError> {
    let fail = |error: Error, outcome_unknown: bool| ProvisionError {
        step: ProvisionStep::Create,
        workspace: None,
        outcome_unknown,
        error,
    };
    if if_exists.adopts() {
        match find(workspaces, &request.slug).await {
            Ok(Some(found)) => {
                adoptable(&found, &request, if_exists).map_err(|e| fail(e, false))?;
                return Ok((found, WorkspaceOrigin::Adopted));
            }
            Ok(None) => {}
            Err(e) => return Err(fail(e, false)),
        }
    }
    create_once(workspaces, request, if_exists, max_tries).await.map_err(|(e, unknown)| fail(e, unknown))
}

/// Creates the workspace at most once (see the module's docs); the workspace and how it came to be. On failure,
/// the error and whether the create may have happened.
async fn create_once(
    workspaces: &Workspaces,
    request: CreateWorkspace,
    if_exists: IfExists,
    max_tries: u32,
) -> Result<(Workspace, WorkspaceOrigin), (Error, bool)> {
    let slug = request.slug.clone();
    let mut tries = 0u32;
    // Whether an earlier create of this item was sent and its outcome is unknown.
    let mut in_doubt = false;
    loop {
        tries = tries.saturating_add(1);
        let error = match workspaces.create(request.clone()).await {
            Ok(workspace) => return Ok((workspace, WorkspaceOrigin::Created)),
            Err(error) => error,
        };
        // After a create in doubt, a 400 may be the taken slug of that very create.
        let doubt = outcome_unknown(&error) || (in_doubt && matches!(error, Error::BadRequest(_)));
        // Adopting, a 400 may be the slug taken since it was looked up.
        let taken = if_exists.adopts() && matches!(error, Error::BadRequest(_));
        if !doubt && !taken {
            return Err((error, false));
        }
        tracing::info!(slug = slug.as_str(), error = %error, "create failed; looking the slug up");
        match find(workspaces, &slug).await {
            // The name asked for: this job's create (or one adopted); another name: not this job's.
            Ok(Some(found)) if doubt && found.name == request.name => {
                return Ok((found, WorkspaceOrigin::Recovered));
            }
            Ok(Some(found)) => {
                adoptable(&found, &request, if_exists).map_err(|e| (e, false))?;
                return Ok((found, WorkspaceOrigin::Adopted));
            }
            Ok(None) => {}
            Err(lookup) => {
                tracing::warn!(slug = slug.as_str(), error = %lookup, "looking the slug up failed");
                return Err((error, doubt));
            }
        }
        // Not there: the create did not happen, and may be sent again.
        if !doubt || tries >= max_tries {
            return Err((error, false));
        }
        in_doubt = true;
    }
}
