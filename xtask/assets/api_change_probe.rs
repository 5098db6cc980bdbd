//! Dropped into a copy of the workspace by `cargo xtask api-change` (xtask/src/api_change.rs) after an upstream
//! change; not part of the project (it only compiles once the change is generated).

use openrouter_workspaces::fake::{FAKE_API_KEY, FakeServer, OrgUser};
use openrouter_workspaces::{CreateWorkspace, Error, UpdateWorkspace, Workspace, WorkspaceMemberRole, limits};
use openrouter_workspaces_tests::Spec;

#[tokio::test]
async fn the_new_property_limit_and_role_work_end_to_end() {
    let org = vec![
        OrgUser::new("user_admin", WorkspaceMemberRole::Admin),
        OrgUser::new("user_olga", WorkspaceMemberRole::Owner),
    ];
    let server = FakeServer::builder().org_users(org).start().await.unwrap();
    let client = server.client();
    let ws = client.workspaces();

    // The new property: set on create, stored by the fake, returned; changed; cleared with null.
    let created = ws.create(CreateWorkspace::new("Probe", "probe").spend_alert_email("ops@example.com")).await.unwrap();
    assert_eq!(created.spend_alert_email.as_deref(), Some("ops@example.com"));
    assert_eq!(ws.get("probe").await.unwrap().spend_alert_email.as_deref(), Some("ops@example.com"));
    let changed = ws.update("probe", UpdateWorkspace::new().spend_alert_email("fin@example.com")).await.unwrap();
    assert_eq!(changed.spend_alert_email.as_deref(), Some("fin@example.com"));
    let untouched = ws.update("probe", UpdateWorkspace::new().name("Probe 2")).await.unwrap();
    assert_eq!(untouched.spend_alert_email.as_deref(), Some("fin@example.com"), "absent leaves it unchanged");
    let cleared = ws.update("probe", UpdateWorkspace::new().clear_spend_alert_email()).await.unwrap();
    assert_eq!(cleared.spend_alert_email, None);
    assert_eq!(server.requests().last().unwrap().body.as_ref().unwrap()["spend_alert_email"], serde_json::Value::Null);
    assert_eq!(ws.get("probe").await.unwrap().spend_alert_email, None);

    // The new property's limit (maxLength 254), on the client (nothing sent) and in `limits`.
    assert_eq!(limits::CREATE_WORKSPACE_SPEND_ALERT_EMAIL_MAX_LENGTH, 254);
    let sent = server.requests().len();
    let long = "e".repeat(255);
    let refused = ws.update("probe", UpdateWorkspace::new().spend_alert_email(long.clone())).await.unwrap_err();
    assert!(matches!(&refused, Error::InvalidInput(i) if i.field == "spend_alert_email"), "{refused}");
    assert_eq!(server.requests().len(), sent, "the client sent a request it should have refused");

    // Constraints on response fields are documentation: the types stay plain, longer values decode.
    let mut wire = serde_json::to_value(&created).unwrap();
    wire["name"] = serde_json::json!("n".repeat(150));
    wire["spend_alert_email"] = serde_json::json!("e".repeat(300));
    let read: Workspace = serde_json::from_value(wire).unwrap();
    let name: &String = &read.name;
    let email: &Option<String> = &read.spend_alert_email;
    assert_eq!((name.len(), email.as_ref().map(String::len)), (150, Some(300)));

    // The raised limit: the new maximum passes both; one more is refused by the client (nothing sent) and the fake.
    assert_eq!(limits::CREATE_WORKSPACE_NAME_MAX_LENGTH, 120);
    ws.create(CreateWorkspace::new("n".repeat(120), "long")).await.unwrap();
    let sent = server.requests().len();
    let refused = ws.create(CreateWorkspace::new("n".repeat(121), "longer")).await.unwrap_err();
    assert!(matches!(&refused, Error::InvalidInput(i) if i.field == "name"), "{refused}");
    assert_eq!(server.requests().len(), sent, "the client sent a request it should have refused");
    let raw = openrouter_workspaces_tests::plain_http_client()
        .post(format!("{}/workspaces", server.base_url()))
        .bearer_auth(FAKE_API_KEY)
        .json(&serde_json::json!({"name": "n".repeat(121), "slug": "longer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let text = raw.text().await.unwrap();
    assert!(text.contains("must have at most 120 characters (got 121)"), "{text}");

    // The new role: known to the SDK, stored and returned by the fake.
    let added = ws.members("probe").add(["user_olga"]).await.unwrap();
    assert_eq!(added.data[0].role, WorkspaceMemberRole::Owner);
    assert!(!WorkspaceMemberRole::Owner.is_unknown());

    // Every exchange but the one sent by hand conforms to the new spec, as this suite reads it.
    let log = server.requests();
    for exchange in log.iter().filter(|r| r.status != 400) {
        if let Err(v) = Spec::get().validate_exchange(exchange) {
            panic!("#{} {} {}: {}", exchange.sequence, exchange.method, exchange.path, v.join("; "));
        }
    }
}
