//! Negative tests: the validator must reject what the spec forbids, with a message naming the operation and
//! the violation. Requests are built by hand, as a broken SDK would send them.

use crate::*;
use serde_json::json;

fn spec() -> &'static Spec {
    Spec::get()
}

fn authed(method: &str, path: &str) -> HttpRequest {
    HttpRequest::new(method, &format!("/api/v1{path}"))
        .header("authorization", "Bearer <redacted>")
        .header("accept", "application/json")
        .header("user-agent", "test")
}

fn create(body: Value) -> HttpRequest {
    authed("POST", "/workspaces").json(&body)
}

/// The single violation of a request, or a panic showing all of them.
fn violation(request: &HttpRequest) -> String {
    match spec().validate_request(request) {
        Ok(op) => panic!("{} accepted: {request:?}", op.id),
        Err(v) if v.len() == 1 => v.into_iter().next().unwrap_or_default(),
        Err(v) => panic!("expected one violation, got {v:#?}"),
    }
}

fn workspace() -> Value {
    spec().document()["components"]["schemas"]["Workspace"]["example"].clone()
}

#[test]
fn the_spec_loads_with_its_operations_base_path_and_security() {
    let s = spec();
    assert_eq!(s.operations().len(), openrouter_workspaces::operation::ALL.len());
    assert_eq!(s.base_path(), "/api/v1");
    let get = s.operation("getWorkspace").unwrap();
    assert_eq!((get.method.as_str(), get.path.as_str()), ("GET", "/workspaces/{id}"));
    assert_eq!(get.security, vec![vec![Credential::Http { scheme: "bearer".into() }]]);
    assert!(get.parameter("X-OpenRouter-Title", "header").is_some() && get.parameter("id", "path").unwrap().required);
    assert!(s.operation("createWorkspace").unwrap().request_body.as_ref().is_some_and(|b| b.required));
}

#[test]
fn conforming_requests_pass() {
    let ok = [
        create(json!({"name": "N", "slug": "n"})),
        create(json!({"name": "N", "slug": "n", "description": null, "disabled_server_tools": ["openrouter:bash"]})),
        authed("GET", "/workspaces").query("limit", "100").query("offset", "0"),
        authed("GET", "/workspaces/a%20b%3Fc"),
        authed("PATCH", "/workspaces/x").json(&json!({"description": null, "io_logging_api_key_ids": null})),
        authed("DELETE", "/workspaces/default").query("confirm_default_workspace_deletion", "true"),
        authed("PUT", "/workspaces/x/budgets/lifetime")
            .json(&json!({"limit_usd": 0.01, "include_byok_in_budgets": true})),
        authed("GET", "/workspaces/x/members")
            .header("X-OpenRouter-Title", "Acme")
            .header("HTTP-Referer", "https://a.example"),
    ];
    for request in ok {
        if let Err(v) = spec().validate_request(&request) {
            panic!("{request:?}: {v:#?}");
        }
    }
}

#[test]
fn an_unknown_body_field_is_a_violation() {
    let v = violation(&create(json!({"name": "N", "slug": "n", "colour": "red"})));
    assert_eq!(
        v,
        "createWorkspace request body: (root): Additional properties are not allowed ('colour' was unexpected)"
    );
    let v = violation(&authed("PUT", "/workspaces/x/budgets/daily").json(&json!({"limit_usd": 1, "limit": 1})));
    assert!(v.starts_with("upsertWorkspaceBudget request body: (root): Additional properties"), "{v}");
}

#[test]
fn a_missing_required_field_is_a_violation() {
    let v = violation(&create(json!({"name": "N"})));
    assert_eq!(v, "createWorkspace request body: (root): \"slug\" is a required property");
    let v = violation(&authed("POST", "/workspaces/x/members/add").json(&json!({})));
    assert_eq!(v, "bulkAddWorkspaceMembers request body: (root): \"user_ids\" is a required property");
}

#[test]
fn a_wrong_type_or_a_broken_constraint_is_a_violation() {
    let v = violation(&create(json!({"name": 5, "slug": "n"})));
    assert_eq!(v, "createWorkspace request body: /name: 5 is not of type \"string\"");
    let v = violation(&create(json!({"name": "N", "slug": "Bad Slug"})));
    assert_eq!(v, "createWorkspace request body: /slug: \"Bad Slug\" does not match \"^[a-z0-9]+(?:-[a-z0-9]+)*$\"");
    let v = violation(&create(json!({"name": "N", "slug": "n", "disabled_server_tools": ["openrouter:teleport"]})));
    assert!(
        v.starts_with("createWorkspace request body: /disabled_server_tools/0: \"openrouter:teleport\" is not one of"),
        "{v}"
    );
    let v = violation(&authed("PUT", "/workspaces/x/budgets/daily").json(&json!({"limit_usd": 0})));
    assert_eq!(v, "upsertWorkspaceBudget request body: /limit_usd: 0 is less than or equal to the minimum of 0");
}

#[test]
fn null_where_the_spec_does_not_allow_it_is_a_violation() {
    let v = violation(&authed("PATCH", "/workspaces/x").json(&json!({"name": null})));
    assert_eq!(v, "updateWorkspace request body: /name: null is not of type \"string\"");
    let v = violation(&authed("PATCH", "/workspaces/x").json(&json!({"io_logging_sampling_rate": null})));
    assert!(v.starts_with("updateWorkspace request body: /io_logging_sampling_rate: null is not of type"), "{v}");
}

#[test]
fn query_parameters_outside_their_schema_or_unknown_are_violations() {
    let list = |k: &str, v: &str| authed("GET", "/workspaces").query(k, v);
    assert_eq!(violation(&list("limit", "0")), "listWorkspaces query parameter limit: 0 is less than the minimum of 1");
    assert_eq!(
        violation(&list("limit", "101")),
        "listWorkspaces query parameter limit: 101 is greater than the maximum of 100"
    );
    assert_eq!(
        violation(&list("limit", "ten")),
        "listWorkspaces query parameter limit: \"ten\" is not of type \"integer\""
    );
    assert_eq!(
        violation(&list("offset", "-1")),
        "listWorkspaces query parameter offset: -1 is less than the minimum of 0"
    );
    assert_eq!(
        violation(&list("page", "2")),
        "listWorkspaces query parameter page: not defined by the spec (defined: offset, limit)"
    );
    assert_eq!(
        violation(&list("limit", "5").query("limit", "6")),
        "listWorkspaces query parameter limit: sent more than once"
    );
    let delete = authed("DELETE", "/workspaces/default").query("confirm_default_workspace_deletion", "yes");
    assert_eq!(
        violation(&delete),
        "deleteWorkspace query parameter confirm_default_workspace_deletion: \"yes\" is not of type \"boolean\""
    );
}

#[test]
fn paths_must_match_a_template_with_encoded_valid_parameters() {
    assert_eq!(violation(&authed("GET", "/workspace")), "GET /workspace: no path template of the spec matches");
    assert_eq!(
        violation(&authed("POST", "/workspaces/x")),
        "POST /workspaces/x: method not in the spec for this path (it has GET, PATCH, DELETE)"
    );
    assert_eq!(
        violation(&authed("GET", "/workspaces/a b")),
        "getWorkspace path parameter id: \"a b\" has ' ', which must be percent-encoded"
    );
    assert_eq!(
        violation(&authed("GET", "/workspaces/%2e%2e")),
        "getWorkspace path parameter id: \"%2e%2e\" is a dot segment, which URL normalisation removes"
    );
    assert!(
        violation(&authed("GET", "/workspaces/x/budgets/hourly"))
            .starts_with("getWorkspaceBudget path parameter interval: \"hourly\" is not one of")
    );
    let outside = spec().validate_request(&HttpRequest::new("GET", "/v2/workspaces")).unwrap_err();
    assert_eq!(outside, ["GET /v2/workspaces: not under the spec's base path \"/api/v1\""]);
}

#[test]
fn credentials_headers_and_content_type_are_checked() {
    let anonymous = HttpRequest::new("GET", "/api/v1/workspaces");
    assert_eq!(
        violation(&anonymous),
        "listWorkspaces credentials: the spec requires one of: header Authorization: missing or not `bearer <token>`"
    );
    let basic = HttpRequest::new("GET", "/api/v1/workspaces").header("Authorization", "Basic abc");
    assert!(violation(&basic).starts_with("listWorkspaces credentials:"));
    assert_eq!(
        violation(&authed("GET", "/workspaces").header("api-version", "1.0.0")),
        "listWorkspaces header api-version: not defined by the spec"
    );
    let mut plain = create(json!({"name": "N", "slug": "n"}));
    plain.headers.retain(|(n, _)| n != "content-type");
    plain.headers.push(("content-type".into(), "text/plain".into()));
    assert_eq!(violation(&plain), "createWorkspace header Content-Type: \"text/plain\" is not one of application/json");
    let mut bare = create(json!({"name": "N", "slug": "n"}));
    bare.headers.retain(|(n, _)| n != "content-type");
    assert_eq!(violation(&bare), "createWorkspace header Content-Type: missing on a request with a body");
}

#[test]
fn bodies_must_be_where_the_spec_puts_them_and_be_json() {
    assert_eq!(violation(&authed("POST", "/workspaces")), "createWorkspace request body: required but missing");
    assert_eq!(
        violation(&authed("GET", "/workspaces/x").json(&json!({}))),
        "getWorkspace request body: the spec defines none, but 2 bytes were sent"
    );
    let mut broken = create(json!({}));
    broken.body = "{\"name\": ".into();
    assert!(violation(&broken).starts_with("createWorkspace request body: not valid JSON"));
}

#[test]
fn an_undocumented_status_is_a_violation() {
    let err = validate_response("listWorkspaces", 404, Some(&json!({"error": {"code": 404, "message": "x"}})));
    assert_eq!(
        err.unwrap_err(),
        ["listWorkspaces response: status 404 is not documented (documented: 200, 400, 401, 403, 500)"]
    );
    // An injected one is judged on its body only.
    let body = json!({"error": {"code": 503, "message": "Service Unavailable"}});
    assert!(spec().validate_injected_error("listWorkspaces", 503, Some(&body)).is_ok());
    let bad = spec().validate_injected_error("listWorkspaces", 503, Some(&json!({"message": "x"}))).unwrap_err();
    assert!(
        bad.contains(
            &"listWorkspaces response 503 (injected) body: (root): \"error\" is a required property".to_owned()
        ),
        "{bad:?}"
    );
}

#[test]
fn response_bodies_outside_the_spec_are_violations() {
    let ok = json!({"data": workspace()});
    assert!(validate_response("getWorkspace", 200, Some(&ok)).is_ok());

    let mut extra = ok.clone();
    extra["data"]["owner"] = json!("someone");
    assert_eq!(
        validate_response("getWorkspace", 200, Some(&extra)).unwrap_err(),
        ["getWorkspace response 200 body: /data: Additional properties are not allowed ('owner' was unexpected)"]
    );
    let mut missing = ok.clone();
    missing["data"].as_object_mut().unwrap().remove("slug");
    assert_eq!(
        validate_response("getWorkspace", 200, Some(&missing)).unwrap_err(),
        ["getWorkspace response 200 body: /data: \"slug\" is a required property"]
    );
    let mut null = ok.clone();
    null["data"]["created_at"] = Value::Null;
    assert_eq!(
        validate_response("getWorkspace", 200, Some(&null)).unwrap_err(),
        ["getWorkspace response 200 body: /data/created_at: null is not of type \"string\""]
    );
    let mut not_uuid = ok.clone();
    not_uuid["data"]["id"] = json!("ws-1");
    assert_eq!(
        validate_response("getWorkspace", 200, Some(&not_uuid)).unwrap_err(),
        ["getWorkspace response 200 body: /data/id: \"ws-1\" is not a \"uuid\""]
    );
    let budget = json!({"data": {"id": "770e8400-e29b-41d4-a716-446655440000", "workspace_id": "550e8400-e29b-41d4-a716-446655440000",
        "limit_usd": 1, "reset_interval": "hourly", "created_at": "t", "updated_at": "t"}});
    let v = validate_response("getWorkspaceBudget", 200, Some(&budget)).unwrap_err();
    assert!(v[0].starts_with("getWorkspaceBudget response 200 body: /data/reset_interval: "), "{v:?}");
    let mut lifetime = budget.clone();
    lifetime["data"]["reset_interval"] = Value::Null;
    assert!(validate_response("getWorkspaceBudget", 200, Some(&lifetime)).is_ok(), "null is a lifetime budget");
    assert_eq!(
        validate_response("deleteWorkspace", 200, None).unwrap_err(),
        ["deleteWorkspace response 200 body: the spec defines a JSON body, but there was none"]
    );
    assert_eq!(
        validate_response("deleteWorkspace", 200, Some(&json!({"deleted": false}))).unwrap_err(),
        ["deleteWorkspace response 200 body: /deleted: false is not one of true"]
    );
}

#[test]
fn differences_compare_numbers_by_value_and_nulls_by_the_schema() {
    let s = spec();
    let schema = json!({"$ref": "#/components/schemas/ErrorResponse"});
    let original = json!({"error": {"code": 404, "message": "m"}, "user_id": null});
    let dropped = json!({"error": {"code": 404.0, "message": "m"}});
    assert!(differences(s, &schema, &original, &dropped, Nulls::OptionalNullableAreAbsent).is_empty());
    assert_eq!(differences(s, &schema, &original, &dropped, Nulls::Distinct), ["/user_id: null was lost"]);
    // A required nullable property keeps its null.
    let ws = json!({"$ref": "#/components/schemas/Workspace"});
    let mut lost = workspace();
    lost.as_object_mut().unwrap().remove("io_logging_api_key_ids");
    assert_eq!(
        differences(s, &ws, &workspace(), &lost, Nulls::OptionalNullableAreAbsent),
        ["/io_logging_api_key_ids: null was lost"]
    );
    let mut with_tools = workspace();
    with_tools["disabled_server_tools"] = json!(["openrouter:web_search"]);
    let mut changed = with_tools.clone();
    changed["disabled_server_tools"] = json!([]);
    assert_eq!(
        differences(s, &ws, &with_tools, &changed, Nulls::OptionalNullableAreAbsent),
        ["/disabled_server_tools: 1 items became 0"]
    );
}
