//! Every future and stream the SDK returns owns what it needs: with owned (or `'static`) arguments, and with any
//! workspace id (a `&str` the SDK copies), it is `'static + Send`, so it can be handed to `tokio::spawn`. The first test is a compile test (a future that
//! borrowed the client or a handle would not compile here); the second spawns for real against the fake.

use std::future::Future;

use futures_util::Stream;
use openrouter_workspaces::fake::FakeServer;
use openrouter_workspaces::{
    BudgetInterval, Client, CreateKey, CreateWorkspace, NewWorkspace, UpdateGuardrail, UpdateKey, UpdateWorkspace,
};

fn spawnable<F: Future + Send + 'static>(_: F) {}
fn spawnable_stream<S: Stream + Send + 'static>(_: S) {}

#[test]
fn every_future_and_stream_of_the_surface_is_static_and_send() {
    let client = Client::builder().api_key("sk-or-v1-compile-test").ignore_env().build().unwrap();
    // Straight from temporaries: nothing borrows the client or the handle.
    spawnable(client.workspaces().list_page(0, 10));
    spawnable(client.workspaces().list().collect());
    spawnable_stream(client.workspaces().list().pages());
    spawnable_stream(client.workspaces().list().items());
    spawnable(client.workspaces().create(CreateWorkspace::new("A", "a")));
    spawnable(client.workspaces().get("a"));
    spawnable(client.workspaces().update("a", UpdateWorkspace::new().name("B")));
    spawnable(client.workspaces().delete("a"));
    // An id borrowed from a value dropped before the future runs: the future keeps its own copy.
    let id = String::from("a");
    let (get, update) = (client.workspaces().get(&id), client.workspaces().update(&id, UpdateWorkspace::new()));
    let delete = client.workspaces().delete(&id).confirm_default_workspace_deletion();
    let (members, budgets) = (client.workspaces().members(&id), client.workspaces().budgets(&id));
    drop(id);
    spawnable(get);
    spawnable(update);
    spawnable(delete);
    spawnable(members.list().collect());
    spawnable(budgets.list());
    let members = client.workspaces().members("a");
    spawnable(members.list_page(0, 10));
    spawnable(members.list().collect());
    spawnable_stream(members.list().items());
    spawnable(members.add(["user_a"]));
    spawnable(members.remove(vec![String::from("user_a")]));
    let budgets = client.workspaces().budgets("a");
    spawnable(budgets.list());
    spawnable(budgets.get(BudgetInterval::Daily));
    spawnable(budgets.set(BudgetInterval::Daily, 1.0));
    spawnable(budgets.delete(BudgetInterval::Daily));
    // API keys and the default guardrail.
    let id = String::from("a");
    let (keys, guardrail) = (client.workspaces().keys(&id), client.workspaces().default_guardrail(&id));
    let (get_key, delete_key) = (client.keys().get(&id), client.keys().delete(&id));
    drop(id);
    spawnable(keys.list().collect());
    spawnable_stream(keys.list().items());
    spawnable_stream(keys.list().pages());
    spawnable(keys.list_page(0));
    spawnable(keys.create(CreateKey::new("ci")));
    spawnable(keys.workspace_id());
    spawnable(get_key);
    spawnable(delete_key);
    spawnable(client.keys().update("h", UpdateKey::new().disabled(true)));
    spawnable(guardrail.get());
    spawnable(guardrail.update(UpdateGuardrail::new().limit_usd(1.0)));
    // Bulk jobs: their streams and their collections.
    let new = vec![NewWorkspace::new(CreateWorkspace::new("A", "a")).budget(BudgetInterval::Monthly, 1.0)];
    spawnable_stream(client.workspaces().create_many(new.clone()).stream());
    spawnable(client.workspaces().create_many(new).collect());
    spawnable_stream(client.workspaces().update_many(vec![("a", UpdateWorkspace::new())]).stream());
    spawnable(client.workspaces().update_many([(String::from("a"), UpdateWorkspace::new())]).collect());
    spawnable_stream(client.workspaces().members("a").add_all(vec!["user_a"]).stream());
    spawnable(client.workspaces().members("a").add_all((0..300).map(|i| format!("user_{i}"))).collect());
    drop(client);
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
