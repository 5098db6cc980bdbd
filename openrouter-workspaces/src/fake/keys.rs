//! The fake's API keys and workspace default guardrails, as the API's descriptions state them:
//! - a key belongs to one workspace (the default workspace when the request names none) and cannot move; its
//!   secret is made on create, answered **once**, and never stored (the fake keeps the key's hash, as the API
//!   does);
//! - `listApiKeys` pages by offset alone, [`Store::key_page_size`] keys per page, disabled keys only on request;
//! - a workspace's default guardrail (`default_guardrail_id`) is unconfigured until a PATCH materializes it: a
//!   GET answers 404 before; its name is derived from the workspace and cannot be changed.
//!
//! The rules that involve workspaces (one with active keys cannot be deleted, a member with active keys in it
//! cannot be removed) are in `state.rs`, next to the operations they refuse. As there, objects are JSON shaped by
//! the spec (`shapes::API_KEY`, `shapes::GUARDRAIL`): a property the spec gains is stored and returned with no
//! change here.

use serde_json::{Value, json};

use super::state::{
    ErrorReply, Object, Outcome, Store, apply, bad, blank, checked, derived_id, fake_bug, not_found, text,
};
use crate::requests::{CreateKey, UpdateGuardrail, UpdateKey};
use crate::tables::shapes;

/// The per-provider zero-data-retention fields that the deprecated `enforce_zdr` fills when a request leaves
/// them out ("its value is copied into any of those per-provider fields that are not explicitly specified").
const ZDR_FIELDS: [&str; 5] =
    ["enforce_zdr_anthropic", "enforce_zdr_openai", "enforce_zdr_google", "enforce_zdr_xai", "enforce_zdr_other"];

/// A new secret, `sk-or-v1-` and 64 hex digits, as the API's look.
fn new_secret() -> String {
    format!("sk-or-v1-{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

/// The key's id: 64 hex digits derived from its secret (the API's is a hash of it too).
fn hash_of(secret: &str) -> String {
    let half = |salt: &str| uuid::Uuid::parse_str(&derived_id(&["key", salt, secret])).map(|u| u.simple().to_string());
    format!("{}{}", half("1").unwrap_or_default(), half("2").unwrap_or_default())
}

/// The label the API shows for a key: its first and last characters, never enough to use it.
fn label_of(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let head: String = chars.iter().take(12).collect();
    let tail: String = chars.iter().skip(chars.len().saturating_sub(4)).collect();
    format!("{head}...{tail}")
}

impl Store {
    /// The keys of a workspace that are active (not disabled), which block deleting it and removing their
    /// creators from it.
    pub(super) fn active_keys_in<'a>(&'a self, workspace_id: &'a str) -> impl Iterator<Item = &'a Object> + 'a {
        self.keys.iter().filter(move |k| {
            text(k, "workspace_id") == workspace_id && !k.get("disabled").and_then(Value::as_bool).unwrap_or(false)
        })
    }

    /// The id of the workspace a key request names (by id, as the API's `workspace_id`), or the default
    /// workspace's. An unknown one is a 400 (the operations document no 404).
    fn key_workspace(&self, workspace_id: Option<&str>) -> Result<String, ErrorReply> {
        let found = match workspace_id {
            Some(id) => self.entries.iter().find(|e| e.id() == id),
            None => self.entries.iter().find(|e| e.is_default),
        };
        found.map(|e| e.id().to_owned()).ok_or_else(|| match workspace_id {
            Some(id) => bad(format!("workspace_id {id:?} is not a workspace of the organization")),
            None => bad("the organization has no default workspace; name a workspace_id"),
        })
    }

    fn key_index(&self, hash: &str) -> Result<usize, ErrorReply> {
        self.keys.iter().position(|k| text(k, "hash") == hash).ok_or_else(|| not_found("API key", hash))
    }

    /// `workspace_id` filters: an id that names no workspace matches no key (an empty list, as a filter answers;
    /// creating a key there is refused).
    pub(crate) fn list_keys(&self, workspace_id: Option<&str>, offset: usize, include_disabled: bool) -> Outcome {
        let workspace_id = match workspace_id {
            Some(id) => id.to_owned(),
            None => self.key_workspace(None)?,
        };
        let data: Vec<&Object> = self
            .keys
            .iter()
            .filter(|k| text(k, "workspace_id") == workspace_id)
            .filter(|k| include_disabled || !k.get("disabled").and_then(Value::as_bool).unwrap_or(false))
            .skip(offset)
            .take(self.key_page_size)
            .collect();
        Ok(json!({ "data": data }))
    }

    pub(crate) fn create_key(&mut self, body: CreateKey) -> Outcome {
        let workspace_id = self.key_workspace(body.workspace_id.as_deref())?;
        // `format: date-time`, "Must be UTC, other timezones will be rejected".
        if let Some(at) = &body.expires_at
            && humantime::parse_rfc3339(at).is_err()
        {
            return Err(bad(format!("expires_at {at:?} is not an ISO 8601 UTC timestamp (YYYY-MM-DDTHH:MM:SSZ)")));
        }
        let secret = new_secret();
        let now = self.now();
        let mut key = blank(
            shapes::API_KEY,
            json!({
                "hash": hash_of(&secret),
                "label": label_of(&secret),
                "disabled": false,
                "include_byok_in_limit": false,
                "usage": 0.0, "usage_daily": 0.0, "usage_weekly": 0.0, "usage_monthly": 0.0,
                "byok_usage": 0.0, "byok_usage_daily": 0.0, "byok_usage_weekly": 0.0, "byok_usage_monthly": 0.0,
                "created_at": now,
                "creator_user_id": self.creator(),
            }),
        );
        apply(&mut key, shapes::API_KEY, &body)?;
        key.insert("workspace_id".into(), Value::String(workspace_id));
        key.insert("limit_remaining".into(), key.get("limit").cloned().unwrap_or(Value::Null));
        checked("ApiKey", shapes::API_KEY, &key)?;
        self.keys.push(key.clone());
        Ok(json!({ "data": key, "key": secret }))
    }

    pub(crate) fn get_key(&self, hash: &str) -> Outcome {
        let i = self.key_index(hash)?;
        Ok(json!({ "data": self.keys[i] }))
    }

    pub(crate) fn update_key(&mut self, hash: &str, body: UpdateKey) -> Outcome {
        let i = self.key_index(hash)?;
        let now = self.now();
        let mut key = self.keys[i].clone();
        apply(&mut key, shapes::API_KEY, &body)?;
        let usage = key.get("usage").and_then(Value::as_f64).unwrap_or(0.0);
        let remaining = key.get("limit").and_then(Value::as_f64).map(|limit| (limit - usage).max(0.0));
        key.insert("limit_remaining".into(), json!(remaining));
        key.insert("updated_at".into(), Value::String(now));
        checked("ApiKey", shapes::API_KEY, &key)?;
        self.keys[i] = key;
        Ok(json!({ "data": self.keys[i] }))
    }

    pub(crate) fn delete_key(&mut self, hash: &str) -> Outcome {
        let i = self.key_index(hash)?;
        self.keys.remove(i);
        Ok(json!({ "deleted": true }))
    }

    /// The workspace whose default guardrail has this id, if any.
    fn guardrail_owner(&self, id: &str) -> Option<&super::state::Entry> {
        self.entries.iter().find(|e| text(&e.workspace, "default_guardrail_id") == id)
    }

    pub(crate) fn get_guardrail(&self, id: &str) -> Outcome {
        match self.guardrails.get(id) {
            Some(g) => Ok(json!({ "data": g })),
            None if self.guardrail_owner(id).is_some() => Err(ErrorReply {
                status: 404,
                message: format!("the workspace default guardrail {id:?} has not been configured yet"),
            }),
            None => Err(not_found("guardrail", id)),
        }
    }

    pub(crate) fn update_guardrail(&mut self, id: &str, body: UpdateGuardrail) -> Outcome {
        let now = self.now();
        let mut guardrail = match (self.guardrails.get(id), self.guardrail_owner(id)) {
            (Some(existing), _) => existing.clone(),
            (None, Some(owner)) => blank(
                shapes::GUARDRAIL,
                json!({
                    "id": id,
                    "name": format!("{} default guardrail", text(&owner.workspace, "name")),
                    "workspace_id": owner.id(),
                    "include_byok_in_budgets": false,
                    "created_at": now,
                }),
            ),
            (None, None) => return Err(not_found("guardrail", id)),
        };
        if let Some(name) = &body.name
            && name != text(&guardrail, "name")
        {
            return Err(bad(
                "the name of a workspace default guardrail is derived from its workspace and cannot be changed",
            ));
        }
        let sent = serde_json::to_value(&body).map_err(|e| fake_bug(e.to_string()))?;
        apply(&mut guardrail, shapes::GUARDRAIL, &body)?;
        if let Some(zdr) = sent.get("enforce_zdr").filter(|v| !v.is_null()) {
            for field in ZDR_FIELDS {
                if sent.get(field).is_none() {
                    guardrail.insert(field.into(), zdr.clone());
                }
            }
        }
        guardrail.insert("updated_at".into(), Value::String(now));
        checked("Guardrail", shapes::GUARDRAIL, &guardrail)?;
        self.guardrails.insert(id.to_owned(), guardrail.clone());
        Ok(json!({ "data": guardrail }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::OrgUser;

    fn store() -> Store {
        Store::new(OrgUser::default_org()).unwrap()
    }

    #[test]
    fn the_secret_is_answered_on_create_only_and_keys_stay_in_their_workspace() {
        let mut s = store();
        let ws = s.seed_workspace("Acme", "acme").unwrap();
        let created = s.create_key(CreateKey::new("ci").workspace_id(ws.id.clone())).unwrap();
        let secret = created["key"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("sk-or-v1-") && secret.len() == 73, "{secret}");
        let hash = created["data"]["hash"].as_str().unwrap().to_owned();
        assert_eq!(hash.len(), 64);
        for answer in [s.get_key(&hash).unwrap(), s.list_keys(Some(&ws.id), 0, false).unwrap()] {
            assert!(!answer.to_string().contains(&secret), "{answer}");
        }
        assert_eq!(s.list_keys(None, 0, false).unwrap()["data"], json!([]), "the default workspace has none");
        assert_eq!(
            s.list_keys(Some("no-such-id"), 0, false).unwrap()["data"],
            json!([]),
            "a filter that matches nothing"
        );
        assert_eq!(s.create_key(CreateKey::new("x").workspace_id("no-such-id")).unwrap_err().status, 400);
        assert_eq!(s.create_key(CreateKey::new("x").expires_at("AAA")).unwrap_err().status, 400);
        assert_eq!(s.create_key(CreateKey::new("x").expires_at("2027-12-31T23:59:59+02:00")).unwrap_err().status, 400);
        s.create_key(CreateKey::new("x").expires_at("2027-12-31T23:59:59Z")).unwrap();
    }

    #[test]
    fn active_keys_block_deleting_the_workspace_and_removing_their_creator() {
        let mut s = store();
        let ws = s.seed_workspace("Acme", "acme").unwrap();
        s.add_members("acme", &["user_alice".to_owned()]).unwrap();
        let created =
            s.create_key(CreateKey::new("ci").workspace_id(ws.id.clone()).creator_user_id("user_alice")).unwrap();
        let hash = created["data"]["hash"].as_str().unwrap().to_owned();
        let err = s.remove_members("acme", &["user_alice".to_owned()]).unwrap_err();
        assert!(err.message.starts_with("Members with active API keys"), "{err:?}");
        let err = s.delete_workspace("acme", false).unwrap_err();
        assert_eq!(err.message, "Workspaces with active API keys cannot be deleted; remove the keys first");
        // A disabled key is not active.
        s.update_key(&hash, UpdateKey::new().disabled(true)).unwrap();
        assert_eq!(s.list_keys(Some(&ws.id), 0, false).unwrap()["data"], json!([]));
        assert_eq!(s.list_keys(Some(&ws.id), 0, true).unwrap()["data"].as_array().unwrap().len(), 1);
        s.remove_members("acme", &["user_alice".to_owned()]).unwrap();
        s.delete_workspace("acme", false).unwrap();
        assert_eq!(s.get_key(&hash).unwrap_err().status, 404, "the workspace's keys went with it");
    }

    #[test]
    fn keys_page_by_offset_alone() {
        let mut s = store();
        s.key_page_size = 2;
        for i in 0..5 {
            s.create_key(CreateKey::new(format!("k{i}"))).unwrap();
        }
        let names = |offset| -> Vec<String> {
            let page = s.list_keys(None, offset, false).unwrap();
            page["data"].as_array().unwrap().iter().map(|k| k["name"].as_str().unwrap().to_owned()).collect()
        };
        assert_eq!(names(0), ["k0", "k1"]);
        assert_eq!(names(4), ["k4"]);
        assert!(names(5).is_empty());
    }

    #[test]
    fn the_default_guardrail_is_unconfigured_until_written_and_keeps_its_name() {
        let mut s = store();
        let ws = s.seed_workspace("Acme", "acme").unwrap();
        let id = ws.default_guardrail_id.clone();
        let err = s.get_guardrail(&id).unwrap_err();
        assert_eq!(err.status, 404);
        assert!(err.message.contains("not been configured"), "{err:?}");
        assert_eq!(s.get_guardrail("other").unwrap_err().status, 404);
        let g = s.update_guardrail(&id, UpdateGuardrail::new().limit_usd(50.0).enforce_zdr(true)).unwrap();
        assert_eq!(g["data"]["limit_usd"], 50.0);
        assert_eq!(g["data"]["enforce_zdr_openai"], true, "enforce_zdr fills the per-provider fields left out");
        assert_eq!(s.get_guardrail(&id).unwrap()["data"]["workspace_id"], json!(ws.id));
        let err = s.update_guardrail(&id, UpdateGuardrail::new().name("renamed")).unwrap_err();
        assert_eq!(err.status, 400);
        assert_eq!(s.update_guardrail("no-such-guardrail", UpdateGuardrail::new()).unwrap_err().status, 404);
    }
}
