//! The budgets of one workspace: one per [`BudgetInterval`].

use std::future::Future;

use crate::client::Client;
use crate::enums::BudgetInterval;
use crate::error::Result;
use crate::requests::BudgetLimit;
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
        async move { client.list_workspace_budgets(&workspace).await.map(|list| *list) }
    }

    /// The budget of one interval.
    ///
    /// # Errors
    /// [`Error::NotFound`](crate::Error::NotFound) when that interval has no budget.
    pub fn get(&self, interval: BudgetInterval) -> impl Future<Output = Result<WorkspaceBudget>> + Send + use<> {
        let (client, workspace) = (self.client.clone(), self.workspace.clone());
        async move { Ok(client.get_workspace_budget(&workspace, &interval).await?.data) }
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
        async move { Ok(client.upsert_workspace_budget(&workspace, &interval, &body).await?.data) }
    }

    /// Removes the budget of one interval. Succeeds also when there was none.
    pub fn delete(&self, interval: BudgetInterval) -> impl Future<Output = Result<()>> + Send + use<> {
        let (client, workspace) = (self.client.clone(), self.workspace.clone());
        async move {
            client.delete_workspace_budget(&workspace, &interval).await?;
            Ok(())
        }
    }
}
