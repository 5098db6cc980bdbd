//! The budgets of one workspace: one per interval (daily, weekly, monthly, lifetime).

use crate::client::Client;
use crate::enums::BudgetInterval;
use crate::error::Result;
use crate::operation as op;
use crate::raw::types::UpsertWorkspaceBudgetRequest;
use crate::validate;
use crate::{BudgetList, WorkspaceBudget};

/// The budgets of one workspace. Get it from [`Workspaces::budgets`](crate::Workspaces::budgets).
///
/// Limits must strictly decrease as the interval narrows: lifetime > monthly > weekly > daily.
#[derive(Clone, Debug)]
pub struct Budgets<'a> {
    client: &'a Client,
    workspace: String,
}

/// A budget limit to set: US dollars, and optionally the workspace-wide BYOK setting.
///
/// ```
/// use openrouter_workspaces::BudgetLimit;
/// let limit: BudgetLimit = 100.0.into();
/// let with_byok = BudgetLimit::usd(100.0).include_byok_in_budgets(true);
/// # let _ = (limit, with_byok);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BudgetLimit {
    limit_usd: f64,
    include_byok_in_budgets: Option<bool>,
}

impl BudgetLimit {
    /// A limit in US dollars (finite, greater than 0).
    pub fn usd(limit_usd: f64) -> Self {
        BudgetLimit { limit_usd, include_byok_in_budgets: None }
    }

    /// Whether BYOK spend counts toward the workspace's budgets. Workspace-wide: it applies to every interval,
    /// not only this one. Not set: left unchanged.
    pub fn include_byok_in_budgets(mut self, include: bool) -> Self {
        self.include_byok_in_budgets = Some(include);
        self
    }
}

impl From<f64> for BudgetLimit {
    fn from(limit_usd: f64) -> Self {
        BudgetLimit::usd(limit_usd)
    }
}

impl<'a> Budgets<'a> {
    pub(crate) fn new(client: &'a Client, workspace: String) -> Self {
        Budgets { client, workspace }
    }

    fn ids<'s>(&'s self, interval: &'s BudgetInterval) -> Result<(&'s str, &'s BudgetInterval)> {
        validate::path_segment("workspace_ref", &self.workspace)?;
        validate::path_segment("interval", interval.as_str())?;
        Ok((&self.workspace, interval))
    }

    /// Every budget of the workspace, and whether BYOK spend counts toward them.
    pub async fn list(&self) -> Result<BudgetList> {
        let id = validate::path_segment("workspace_ref", &self.workspace)?;
        self.client.call(op::LIST_WORKSPACE_BUDGETS, |raw| raw.list_workspace_budgets(id)).await
    }

    /// The budget of one interval.
    ///
    /// # Errors
    /// [`Error::NotFound`](crate::Error::NotFound) when that interval has no budget.
    pub async fn get(&self, interval: BudgetInterval) -> Result<WorkspaceBudget> {
        let (id, interval) = self.ids(&interval)?;
        let body = self.client.call(op::GET_WORKSPACE_BUDGET, |raw| raw.get_workspace_budget(id, interval)).await?;
        Ok(body.data)
    }

    /// Creates or replaces the budget of one interval.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_workspaces::Client) -> Result<(), openrouter_workspaces::Error> {
    /// use openrouter_workspaces::BudgetInterval;
    /// let budget = client.workspaces().budgets("production").set(BudgetInterval::Monthly, 100.0).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for a limit that is not a finite number above 0
    /// (nothing is sent); [`Error::BadRequest`](crate::Error::BadRequest) when the limits would not strictly
    /// decrease as the interval narrows.
    pub async fn set(&self, interval: BudgetInterval, limit: impl Into<BudgetLimit>) -> Result<WorkspaceBudget> {
        let (id, interval) = self.ids(&interval)?;
        let limit = limit.into();
        validate::limit_usd(limit.limit_usd)?;
        let body = UpsertWorkspaceBudgetRequest {
            limit_usd: limit.limit_usd,
            include_byok_in_budgets: limit.include_byok_in_budgets,
        };
        let out = self
            .client
            .call(op::UPSERT_WORKSPACE_BUDGET, |raw| raw.upsert_workspace_budget(id, interval, &body))
            .await?;
        Ok(out.data)
    }

    /// Removes the budget of one interval. Succeeds also when there was none.
    pub async fn delete(&self, interval: BudgetInterval) -> Result<()> {
        let (id, interval) = self.ids(&interval)?;
        self.client.call(op::DELETE_WORKSPACE_BUDGET, |raw| raw.delete_workspace_budget(id, interval)).await?;
        Ok(())
    }
}
