//! The fake's business rules, by operation: the generated [`Rules`] trait (one method per operation of the spec,
//! named after its operationId, taking its parameters and body as parsed and checked), implemented for the
//! [`Store`]. An operation the spec gains answers `501` until its method is written here (and its rule in
//! `state.rs`).

use super::state::{ErrorReply, Outcome, Store};
use crate::enums::BudgetInterval;
use crate::operation::OperationId;
use crate::requests::{
    BudgetLimit, BulkAddWorkspaceMembers, BulkRemoveWorkspaceMembers, CreateKey, CreateWorkspace, UpdateGuardrail,
    UpdateKey, UpdateWorkspace,
};
use crate::tables::fake::Rules;

/// The answer of an operation the fake has no rule for.
pub(crate) fn not_implemented(op: OperationId) -> ErrorReply {
    ErrorReply { status: 501, message: format!("the fake server does not implement {op} yet (fake/rules.rs)") }
}

/// An offset or a page size as an index (the parser checked that it is not negative).
fn index(n: i64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

impl Rules for Store {
    fn list_workspaces(&mut self, offset: i64, limit: i64) -> Outcome {
        Store::list_workspaces(self, index(offset), index(limit))
    }

    fn create_workspace(&mut self, body: CreateWorkspace) -> Outcome {
        Store::create_workspace(self, body)
    }

    fn get_workspace(&mut self, id: String) -> Outcome {
        Store::get_workspace(self, &id)
    }

    fn update_workspace(&mut self, id: String, body: UpdateWorkspace) -> Outcome {
        Store::update_workspace(self, &id, body)
    }

    fn delete_workspace(&mut self, id: String, confirm: Option<bool>) -> Outcome {
        Store::delete_workspace(self, &id, confirm.unwrap_or(false))
    }

    fn list_workspace_members(&mut self, id: String, offset: i64, limit: i64) -> Outcome {
        self.list_members(&id, index(offset), index(limit))
    }

    fn bulk_add_workspace_members(&mut self, id: String, body: BulkAddWorkspaceMembers) -> Outcome {
        self.add_members(&id, &body.user_ids)
    }

    fn bulk_remove_workspace_members(&mut self, id: String, body: BulkRemoveWorkspaceMembers) -> Outcome {
        self.remove_members(&id, &body.user_ids)
    }

    fn list_workspace_budgets(&mut self, workspace_ref: String) -> Outcome {
        self.list_budgets(&workspace_ref)
    }

    fn get_workspace_budget(&mut self, workspace_ref: String, interval: BudgetInterval) -> Outcome {
        self.get_budget(&workspace_ref, &interval)
    }

    fn upsert_workspace_budget(
        &mut self,
        workspace_ref: String,
        interval: BudgetInterval,
        body: BudgetLimit,
    ) -> Outcome {
        self.upsert_budget(&workspace_ref, &interval, body)
    }

    fn delete_workspace_budget(&mut self, workspace_ref: String, interval: BudgetInterval) -> Outcome {
        self.delete_budget(&workspace_ref, &interval)
    }

    fn list_api_keys(
        &mut self,
        include_disabled: Option<bool>,
        offset: Option<i64>,
        workspace_id: Option<String>,
    ) -> Outcome {
        self.list_keys(workspace_id.as_deref(), index(offset.unwrap_or(0)), include_disabled.unwrap_or(false))
    }

    fn create_api_key(&mut self, body: CreateKey) -> Outcome {
        self.create_key(body)
    }

    fn get_api_key(&mut self, hash: String) -> Outcome {
        self.get_key(&hash)
    }

    fn update_api_key(&mut self, hash: String, body: UpdateKey) -> Outcome {
        self.update_key(&hash, body)
    }

    fn delete_api_key(&mut self, hash: String) -> Outcome {
        self.delete_key(&hash)
    }

    fn get_guardrail(&mut self, id: String) -> Outcome {
        Store::get_guardrail(self, &id)
    }

    fn update_guardrail(&mut self, id: String, body: UpdateGuardrail) -> Outcome {
        Store::update_guardrail(self, &id, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operation_without_a_rule_answers_501_naming_it() {
        struct NoRules;
        impl Rules for NoRules {}
        let reply = NoRules.get_workspace("w".into()).unwrap_err();
        assert_eq!(reply.status, 501);
        assert_eq!(reply.message, "the fake server does not implement getWorkspace yet (fake/rules.rs)");
        let request = crate::tables::fake::Request::DeleteWorkspaceBudget {
            workspace_ref: "w".into(),
            interval: BudgetInterval::Daily,
        };
        assert_eq!(crate::tables::fake::dispatch(&mut NoRules, request).unwrap_err().status, 501);
    }
}
