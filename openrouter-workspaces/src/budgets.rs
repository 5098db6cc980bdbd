//! The budgets of one workspace: one per [`BudgetInterval`].

use crate::client::Client;
use crate::enums::BudgetInterval;
use crate::error::Result;
use crate::operation as op;
use crate::requests::BudgetLimit;
use crate::validate::{self, Side, Validate};
use crate::{BudgetList, WorkspaceBudget};

/// The budgets of one workspace. Get it from [`Workspaces::budgets`](crate::Workspaces::budgets).
///
/// Limits must strictly decrease as the interval narrows: lifetime > monthly > weekly > daily.
#[derive(Clone, Debug)]
pub struct Budgets<'a> {
    client: &'a Client,
    workspace: String,
}

impl BudgetLimit {
    /// A limit in US dollars (a finite number greater than 0), the same as [`BudgetLimit::new`].
    pub fn usd(limit_usd: f64) -> Self {
        BudgetLimit::new(limit_usd)
    }
}

impl From<f64> for BudgetLimit {
    /// A limit in US dollars.
    fn from(limit_usd: f64) -> Self {
        BudgetLimit::new(limit_usd)
    }
}

impl<'a> Budgets<'a> {
    pub(crate) fn new(client: &'a Client, workspace: String) -> Self {
        Budgets { client, workspace }
    }

    /// Every budget of the workspace, and whether BYOK spend counts toward them.
    pub async fn list(&self) -> Result<BudgetList> {
        let id = validate::path_param(&op::LIST_WORKSPACE_BUDGETS_WORKSPACE_REF, &self.workspace)?;
        self.client.call(op::LIST_WORKSPACE_BUDGETS, |raw| raw.list_workspace_budgets(id)).await
    }

    /// The budget of one interval.
    ///
    /// # Errors
    /// [`Error::NotFound`](crate::Error::NotFound) when that interval has no budget.
    pub async fn get(&self, interval: BudgetInterval) -> Result<WorkspaceBudget> {
        let id = validate::path_param(&op::GET_WORKSPACE_BUDGET_WORKSPACE_REF, &self.workspace)?;
        validate::path_param(&op::GET_WORKSPACE_BUDGET_INTERVAL, interval.as_str())?;
        let body = self.client.call(op::GET_WORKSPACE_BUDGET, |raw| raw.get_workspace_budget(id, &interval)).await?;
        Ok(body.data)
    }

    /// Creates or replaces the budget of one interval: a [`BudgetLimit`], or just the number of US dollars.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_workspaces::Client) -> Result<(), openrouter_workspaces::Error> {
    /// use openrouter_workspaces::{BudgetInterval, BudgetLimit};
    /// let budgets = client.workspaces().budgets("production");
    /// let monthly = budgets.set(BudgetInterval::Monthly, 100.0).await?;
    /// let lifetime = budgets.set(BudgetInterval::Lifetime, BudgetLimit::new(1000.0).include_byok_in_budgets(true)).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for a limit that is not a finite number above 0
    /// (nothing is sent); [`Error::BadRequest`](crate::Error::BadRequest) when the limits would not strictly
    /// decrease as the interval narrows.
    pub async fn set(&self, interval: BudgetInterval, limit: impl Into<BudgetLimit>) -> Result<WorkspaceBudget> {
        let id = validate::path_param(&op::UPSERT_WORKSPACE_BUDGET_WORKSPACE_REF, &self.workspace)?;
        validate::path_param(&op::UPSERT_WORKSPACE_BUDGET_INTERVAL, interval.as_str())?;
        let body = limit.into();
        body.validate(Side::Client)?;
        let out = self
            .client
            .call(op::UPSERT_WORKSPACE_BUDGET, |raw| raw.upsert_workspace_budget(id, &interval, &body))
            .await?;
        Ok(out.data)
    }

    /// Removes the budget of one interval. Succeeds also when there was none.
    pub async fn delete(&self, interval: BudgetInterval) -> Result<()> {
        let id = validate::path_param(&op::DELETE_WORKSPACE_BUDGET_WORKSPACE_REF, &self.workspace)?;
        validate::path_param(&op::DELETE_WORKSPACE_BUDGET_INTERVAL, interval.as_str())?;
        self.client.call(op::DELETE_WORKSPACE_BUDGET, |raw| raw.delete_workspace_budget(id, &interval)).await?;
        Ok(())
    }
}
