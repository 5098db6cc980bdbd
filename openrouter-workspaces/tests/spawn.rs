//! Every future and stream the SDK returns owns what it needs: with owned (or `'static`) arguments, and with any
//! workspace id (a `&str` the SDK copies), it is `'static + Send`, so it can be handed to `tokio::spawn`. The first
//! two tests are compile tests (a future that borrowed the client or a handle would not compile here), over every
//! operation of the spec; the last spawns for real against the fake.

use std::future::Future;

use futures_util::Stream;
use openrouter_workspaces::fake::FakeServer;
use openrouter_workspaces::operation::OperationId;
use openrouter_workspaces::{
    BudgetInterval, Client, CreateKey, CreateWorkspace, NewWorkspace, UpdateGuardrail, UpdateKey, UpdateWorkspace,
};

fn spawnable<F: Future + Send + 'static>(_: F) {}
fn spawnable_stream<S: Stream + Send + 'static>(_: S) {}

/// Every operation of the spec (`OperationId::ALL`), through each handle method that sends it: an operation with no
/// line here fails the test, so a new operation's method is checked too.
#[test]
fn every_operation_has_futures_and_streams_that_are_static_and_send() {
    let client = Client::builder().api_key("sk-or-v1-compile-test").ignore_env().build().unwrap();
    // Straight from temporaries: nothing borrows the client or the handle.
    let mut missing = Vec::new();
    for id in OperationId::ALL {
        let (workspaces, members, budgets) =
            (client.workspaces(), client.workspaces().members("a"), client.workspaces().budgets("a"));
        match id {
            OperationId::ListWorkspaces => {
                spawnable(workspaces.list_page(0, 10));
                spawnable(workspaces.list().collect());
                spawnable_stream(workspaces.list().pages());
                spawnable_stream(workspaces.list().items());
            }
            OperationId::CreateWorkspace => {
                spawnable(workspaces.create(CreateWorkspace::new("A", "a")));
                let new = vec![NewWorkspace::new(CreateWorkspace::new("A", "a")).budget(BudgetInterval::Monthly, 1.0)];
                spawnable_stream(workspaces.create_many(new.clone()).stream());
                spawnable(workspaces.create_many(new).collect());
            }
            OperationId::GetWorkspace => spawnable(workspaces.get("a")),
            OperationId::UpdateWorkspace => {
                spawnable(workspaces.update("a", UpdateWorkspace::new().name("B")));
                spawnable_stream(workspaces.update_many(vec![("a", UpdateWorkspace::new())]).stream());
                spawnable(workspaces.update_many([(String::from("a"), UpdateWorkspace::new())]).collect());
            }
            OperationId::DeleteWorkspace => spawnable(workspaces.delete("a")),
            OperationId::ListWorkspaceMembers => {
                spawnable(members.list_page(0, 10));
                spawnable(members.list().collect());
                spawnable_stream(members.list().items());
            }
            OperationId::BulkAddWorkspaceMembers => {
                spawnable(members.add(["user_a"]));
                spawnable_stream(members.add_all(vec!["user_a"]).stream());
                spawnable(members.add_all((0..300).map(|i| format!("user_{i}"))).collect());
            }
            OperationId::BulkRemoveWorkspaceMembers => spawnable(members.remove(vec![String::from("user_a")])),
            OperationId::ListWorkspaceBudgets => spawnable(budgets.list()),
            OperationId::GetWorkspaceBudget => spawnable(budgets.get(BudgetInterval::Daily)),
            OperationId::UpsertWorkspaceBudget => spawnable(budgets.set(BudgetInterval::Daily, 1.0)),
            OperationId::DeleteWorkspaceBudget => spawnable(budgets.delete(BudgetInterval::Daily)),
            OperationId::ListApiKeys => {
                let keys = client.workspaces().keys("a");
                spawnable(keys.list_page(0));
                spawnable(keys.list().collect());
                spawnable_stream(keys.list().items());
                spawnable_stream(keys.list().pages());
            }
            OperationId::CreateApiKey => {
                spawnable(client.workspaces().keys("a").create(CreateKey::new("ci")));
                spawnable(client.workspaces().keys("a").workspace_id());
            }
            OperationId::GetApiKey => spawnable(client.keys().get("h")),
            OperationId::UpdateApiKey => spawnable(client.keys().update("h", UpdateKey::new().disabled(true))),
            OperationId::DeleteApiKey => spawnable(client.keys().delete("h")),
            OperationId::GetGuardrail => spawnable(client.workspaces().default_guardrail("a").get()),
            OperationId::UpdateGuardrail => {
                spawnable(client.workspaces().default_guardrail("a").update(UpdateGuardrail::new().limit_usd(1.0)));
            }
            _ => missing.push(*id),
        }
    }
    assert!(missing.is_empty(), "operations of the spec with no line here: {missing:?}");
    drop(client);
}

/// An id borrowed from a value dropped before the future runs: the future keeps its own copy.
#[test]
fn futures_keep_their_own_copy_of_a_borrowed_id() {
    let client = Client::builder().api_key("sk-or-v1-compile-test").ignore_env().build().unwrap();
    let id = String::from("a");
    let (get, update) = (client.workspaces().get(&id), client.workspaces().update(&id, UpdateWorkspace::new()));
    let delete = client.workspaces().delete(&id).confirm_default_workspace_deletion();
    let (members, budgets) = (client.workspaces().members(&id), client.workspaces().budgets(&id));
    let (keys, guardrail) = (client.workspaces().keys(&id), client.workspaces().default_guardrail(&id));
    let (get_key, delete_key) = (client.keys().get(&id), client.keys().delete(&id));
    drop(id);
    spawnable(keys.list().collect());
    spawnable(get_key);
    spawnable(delete_key);
    spawnable(guardrail.get());
    spawnable(get);
    spawnable(update);
    spawnable(delete);
    spawnable(members.list().collect());
    spawnable(budgets.list());
}

#[tokio::test]
async fn spawned_calls_run_on_their_own() {
    let server = FakeServer::start().await.unwrap();
    server.seed_workspace("Spawned", "spawned").unwrap();
    let client = server.client();
    let get = tokio::spawn(client.workspaces().get("spawned"));
    let delete = tokio::spawn(client.workspaces().delete("spawned"));
    let got = get.await.unwrap();
    delete.await.unwrap().unwrap();
    // The two ran concurrently: the get saw the workspace, or the delete had already removed it.
    assert!(matches!(&got, Ok(w) if w.slug == "spawned") || got.as_ref().is_err_and(|e| e.status() == Some(404)));
    assert_eq!(client.workspaces().get("spawned").await.unwrap_err().status(), Some(404));
}
