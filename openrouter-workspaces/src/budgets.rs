//! The budgets of one workspace: one per [`BudgetInterval`].

use std::future::Future;

use crate::client::Client;
use crate::enums::BudgetInterval;
use crate::error::Result;
use crate::operation as op;
use crate::requests::BudgetLimit;
use crate::validate::{self, Side, Validate};
use crate::{BudgetList, WorkspaceBudget};

/// The budgets of one workspace. Get it from [`Workspaces::budgets`](crate::Workspaces::budgets); cheap to clone.
/// Its futures own what they need (see [`Workspaces`](crate::Workspaces)).
///
/// Limits must strictly decrease as the interval narrows: lifetime > monthly > weekly > daily.
#[derive(Clone, Debug)]
pub struct Budgets {
    client: Client,
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

impl Budgets {
    pub(crate) fn new(client: Client, workspace: String) -> Self {
        Budgets { client, workspace }
    }

    /// Every budget of the workspace, and whether BYOK spend counts toward them.
    pub fn list(&self) -> impl Future<Output = Result<BudgetList>> + Send + use<> {
        let (client, workspace) = (self.client.clone(), self.workspace.clone());
        async move {
            let id = validate::path_param(&op::LIST_WORKSPACE_BUDGETS_WORKSPACE_REF, &workspace)?;
            client.call(op::LIST_WORKSPACE_BUDGETS, |raw| raw.list_workspace_budgets(id)).await
        }
    }

    /// The budget of one interval.
    ///
    /// # Errors
    /// [`Error::NotFound`](crate::Error::NotFound) when that interval has no budget.
    pub fn get(&self, interval: BudgetInterval) -> impl Future<Output = Result<WorkspaceBudget>> + Send + use<> {
        let (client, workspace) = (self.client.clone(), self.workspace.clone());
        async move {
            let id = validate::path_param(&op::GET_WORKSPACE_BUDGET_WORKSPACE_REF, &workspace)?;
            validate::path_param(&op::GET_WORKSPACE_BUDGET_INTERVAL, interval.as_str())?;
            let body = client.call(op::GET_WORKSPACE_BUDGET, |raw| raw.get_workspace_budget(id, &interval)).await?;
            Ok(body.data)
        }
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
    pub fn set<L: Into<BudgetLimit>>(
        &self,
        interval: BudgetInterval,
        limit: L,
    ) -> impl Future<Output = Result<WorkspaceBudget>> + Send + use<L> {
        let (client, workspace) = (self.client.clone(), self.workspace.clone());
        let body: BudgetLimit = limit.into();
        async move {
            let id = validate::path_param(&op::UPSERT_WORKSPACE_BUDGET_WORKSPACE_REF, &workspace)?;
            validate::path_param(&op::UPSERT_WORKSPACE_BUDGET_INTERVAL, interval.as_str())?;
            body.validate(Side::Client)?;
            let out = client
                .call(op::UPSERT_WORKSPACE_BUDGET, |raw| raw.upsert_workspace_budget(id, &interval, &body))
                .await?;
            Ok(out.data)
        }
    }

    /// Removes the budget of one interval. Succeeds also when there was none.
    pub fn delete(&self, interval: BudgetInterval) -> impl Future<Output = Result<()>> + Send + use<> {
        let (client, workspace) = (self.client.clone(), self.workspace.clone());
        async move {
            let id = validate::path_param(&op::DELETE_WORKSPACE_BUDGET_WORKSPACE_REF, &workspace)?;
            validate::path_param(&op::DELETE_WORKSPACE_BUDGET_INTERVAL, interval.as_str())?;
            client.call(op::DELETE_WORKSPACE_BUDGET, |raw| raw.delete_workspace_budget(id, &interval)).await?;
            Ok(())
        }
    }
}
