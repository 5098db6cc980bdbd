//! The fake's data and business rules, without HTTP: workspaces, memberships and budgets, as the API's
//! descriptions state them. Every rule violation is an [`ErrorReply`] with a status the spec documents.
//!
//! What the spec determines is not written here. Objects are stored as JSON shaped by the spec (the generated
//! `shapes`: which properties an object has, which are required, which nullable): a new workspace starts with every
//! nullable property `null`, takes every property of the create body that a workspace has, and an update applies
//! every property of its body (`null` included) the same way. So a property the spec gains is accepted, stored,
//! cleared and returned without a change here. What is written here are the rules: ids, timestamps, unique slugs,
//! the default workspace, memberships, and budgets that strictly decrease as the interval narrows.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde_json::{Map, Value, json};

use crate::enums::{BudgetInterval, WorkspaceMemberRole};
use crate::requests::{BudgetLimit, CreateWorkspace, UpdateWorkspace};
use crate::tables::shapes;

/// A member of the fake organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgUser {
    /// The user id, e.g. `user_admin`.
    pub user_id: String,
    /// The role the user holds in the organization (and so in every workspace).
    pub role: WorkspaceMemberRole,
}

impl OrgUser {
    /// A user with this id and role.
    pub fn new(user_id: impl Into<String>, role: WorkspaceMemberRole) -> Self {
        OrgUser { user_id: user_id.into(), role }
    }

    /// The organization seeded by default: `user_admin` (admin, the creator of workspaces), `user_alice`,
    /// `user_bob` and `user_carol` (members).
    pub fn default_org() -> Vec<OrgUser> {
        vec![
            OrgUser::new("user_admin", WorkspaceMemberRole::Admin),
            OrgUser::new("user_alice", WorkspaceMemberRole::Member),
            OrgUser::new("user_bob", WorkspaceMemberRole::Member),
            OrgUser::new("user_carol", WorkspaceMemberRole::Member),
        ]
    }
}

/// An error the fake answers with (a rule violation, an unknown id, ...): the status and the message of the
/// documented error body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ErrorReply {
    pub(crate) status: u16,
    pub(crate) message: String,
}

pub(crate) fn bad(message: impl Into<String>) -> ErrorReply {
    ErrorReply { status: 400, message: message.into() }
}

pub(super) fn not_found(what: &str, id: &str) -> ErrorReply {
    ErrorReply { status: 404, message: format!("{what} {id:?} not found") }
}

/// A bug of the fake itself (a rule here that no longer fits the spec): a 500 that says what to fix.
pub(super) fn fake_bug(message: String) -> ErrorReply {
    ErrorReply { status: 500, message: format!("fake server: {message}") }
}

pub(crate) type Outcome = Result<Value, ErrorReply>;

/// Namespace of the fake's derived ids (UUID v5).
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6f70656e_726f_7574_6572_66616b650001);

pub(super) fn derived_id(parts: &[&str]) -> String {
    uuid::Uuid::new_v5(&NAMESPACE, parts.join("\u{0}").as_bytes()).to_string()
}

/// An object of the spec, as JSON.
pub(super) type Object = Map<String, Value>;

/// An object with every nullable property of `shape` set to `null`, then `values`.
pub(super) fn blank(shape: &[(&str, bool, bool)], values: Value) -> Object {
    let mut out: Object =
        shape.iter().filter(|(_, _, nullable)| *nullable).map(|(n, _, _)| ((*n).to_owned(), Value::Null)).collect();
    if let Value::Object(values) = values {
        // The fake's defaults, for the properties the spec defines: a default of an optional property upstream has
        // since removed is not stored (a required one the fake cannot fill is `checked`'s loud 500).
        out.extend(values.into_iter().filter(|(k, _)| defines(shape, k)));
    }
    out
}

fn defines(shape: &[(&str, bool, bool)], name: &str) -> bool {
    shape.iter().any(|(n, _, _)| *n == name)
}

/// Copies every property of `body` (its JSON, as sent) that `shape` has into `object`: a value, or `null` to clear.
pub(super) fn apply(
    object: &mut Object,
    shape: &[(&str, bool, bool)],
    body: &impl serde::Serialize,
) -> Result<(), ErrorReply> {
    let Value::Object(fields) = serde_json::to_value(body).map_err(|e| fake_bug(e.to_string()))? else {
        return Err(fake_bug("a request body is not a JSON object".into()));
    };
    for (name, value) in fields {
        if shape.iter().any(|(n, _, _)| *n == name) {
            object.insert(name, value);
        }
    }
    Ok(())
}

/// Checks that a stored object fits its schema (every required property there, nothing it does not define), so
/// that a rule here that the spec left behind is a loud 500, not a silently wrong answer.
pub(super) fn checked(schema: &str, shape: &[(&str, bool, bool)], object: &Object) -> Result<(), ErrorReply> {
    if let Some((missing, _, _)) = shape.iter().find(|(n, required, _)| *required && !object.contains_key(*n)) {
        return Err(fake_bug(format!("does not know how to fill the required property `{missing}` of {schema}")));
    }
    if let Some(extra) = object.keys().find(|k| !shape.iter().any(|(n, _, _)| n == k)) {
        return Err(fake_bug(format!("stores `{extra}`, which {schema} does not define")));
    }
    Ok(())
}

pub(super) fn text<'a>(object: &'a Object, name: &str) -> &'a str {
    object.get(name).and_then(Value::as_str).unwrap_or("")
}

pub(super) struct Entry {
    pub(super) workspace: Object,
    pub(super) is_default: bool,
    /// Whether BYOK spend counts toward the budgets: the budget endpoints' workspace-wide setting, kept here (and
    /// shown on the workspace while the spec's `Workspace` defines `include_byok_in_budgets`).
    byok: bool,
    /// Explicit memberships: user id -> membership (the default workspace has none; its members are implicit).
    members: BTreeMap<String, Object>,
    /// Budgets by rank (see [`rank`]).
    budgets: BTreeMap<usize, Object>,
}

impl Entry {
    pub(super) fn id(&self) -> &str {
        text(&self.workspace, "id")
    }
}

/// The fake's data: the organization's users, and its workspaces with their memberships and budgets; their API
/// keys and default guardrails (see `fake/keys.rs`).
pub(crate) struct Store {
    pub(super) org: Vec<OrgUser>,
    pub(super) entries: Vec<Entry>,
    last_timestamp: String,
    /// Every API key (as the API returns it; never its secret), in creation order.
    pub(super) keys: Vec<Object>,
    /// The configured guardrails, by id (a workspace's default guardrail is here once written).
    pub(super) guardrails: BTreeMap<String, Object>,
    /// How many keys a page of `listApiKeys` holds (the server's choice: the operation has no `limit`).
    pub(crate) key_page_size: usize,
}

/// The default of [`Store::key_page_size`].
pub(crate) const KEY_PAGE_SIZE: usize = 100;

/// Where an interval stands, narrowest first: the spec lists the intervals in that order (daily, weekly, monthly,
/// lifetime), and limits must strictly increase along it. `None` for a value the spec does not list.
fn rank(interval: &BudgetInterval) -> Option<usize> {
    BudgetInterval::KNOWN.iter().position(|known| known == interval)
}

impl Store {
    pub(crate) fn new(org: Vec<OrgUser>) -> Result<Store, ErrorReply> {
        let mut state = Store {
            org,
            entries: Vec::new(),
            last_timestamp: String::new(),
            keys: Vec::new(),
            guardrails: BTreeMap::new(),
            key_page_size: KEY_PAGE_SIZE,
        };
        let now = state.now();
        let id = derived_id(&["default-workspace"]);
        let workspace = state.new_workspace(&id, CreateWorkspace::new("Default Workspace", "default"), &now)?;
        state.entries.push(Entry {
            workspace,
            is_default: true,
            byok: false,
            members: BTreeMap::new(),
            budgets: BTreeMap::new(),
        });
        Ok(state)
    }

    /// An ISO 8601 timestamp, strictly later than the previous one (so `updated_at` always changes).
    pub(super) fn now(&mut self) -> String {
        let mut now = SystemTime::now();
        loop {
            let stamp = humantime::format_rfc3339_millis(now).to_string();
            if stamp > self.last_timestamp {
                self.last_timestamp = stamp.clone();
                return stamp;
            }
            now += std::time::Duration::from_millis(1);
        }
    }

    pub(super) fn creator(&self) -> Option<String> {
        self.org.first().map(|u| u.user_id.clone())
    }

    /// A new workspace: the fake's defaults, then everything the body sets.
    fn new_workspace(&self, id: &str, body: CreateWorkspace, now: &str) -> Result<Object, ErrorReply> {
        let mut w = blank(
            shapes::WORKSPACE,
            json!({
                "id": id,
                "default_guardrail_id": derived_id(&["guardrail", id]),
                "include_byok_in_budgets": false,
                "io_logging_sampling_rate": 1.0,
                "is_data_discount_logging_enabled": true,
                "is_observability_broadcast_enabled": false,
                "is_observability_io_logging_enabled": false,
                "created_at": now,
                "updated_at": now,
                "created_by": self.creator(),
            }),
        );
        apply(&mut w, shapes::WORKSPACE, &body)?;
        checked("Workspace", shapes::WORKSPACE, &w)?;
        Ok(w)
    }

    pub(super) fn find(&self, id_or_slug: &str) -> Result<usize, ErrorReply> {
        self.entries
            .iter()
            .position(|e| e.id() == id_or_slug || text(&e.workspace, "slug") == id_or_slug)
            .ok_or_else(|| not_found("workspace", id_or_slug))
    }

    fn slug_taken(&self, slug: &str, except: Option<usize>) -> bool {
        self.entries.iter().enumerate().any(|(i, e)| Some(i) != except && text(&e.workspace, "slug") == slug)
    }

    /// The workspaces, in creation order.
    pub(crate) fn workspaces(&self) -> Vec<crate::Workspace> {
        self.entries.iter().filter_map(|e| serde_json::from_value(Value::Object(e.workspace.clone())).ok()).collect()
    }

    pub(crate) fn list_workspaces(&self, offset: usize, limit: usize) -> Outcome {
        let data: Vec<&Object> = self.entries.iter().skip(offset).take(limit).map(|e| &e.workspace).collect();
        Ok(json!({ "data": data, "total_count": self.entries.len() }))
    }

    pub(crate) fn create_workspace(&mut self, body: CreateWorkspace) -> Outcome {
        let slug = body.slug.clone();
        if self.slug_taken(&slug, None) {
            return Err(bad(format!("a workspace with slug {slug:?} already exists")));
        }
        let now = self.now();
        let w = self.new_workspace(&uuid::Uuid::new_v4().to_string(), body, &now)?;
        let out = json!({ "data": w });
        self.entries.push(Entry {
            workspace: w,
            is_default: false,
            byok: false,
            members: BTreeMap::new(),
            budgets: BTreeMap::new(),
        });
        Ok(out)
    }

    pub(crate) fn get_workspace(&self, id: &str) -> Outcome {
        let i = self.find(id)?;
        Ok(json!({ "data": self.entries[i].workspace }))
    }

    pub(crate) fn update_workspace(&mut self, id: &str, body: UpdateWorkspace) -> Outcome {
        let i = self.find(id)?;
        if let Some(slug) = &body.slug
            && self.slug_taken(slug, Some(i))
        {
            return Err(bad(format!("a workspace with slug {slug:?} already exists")));
        }
        let now = self.now();
        let mut w = self.entries[i].workspace.clone();
        apply(&mut w, shapes::WORKSPACE, &body)?;
        w.insert("updated_at".into(), Value::String(now));
        checked("Workspace", shapes::WORKSPACE, &w)?;
        self.entries[i].workspace = w;
        Ok(json!({ "data": self.entries[i].workspace }))
    }

    pub(crate) fn delete_workspace(&mut self, id: &str, confirm_default: bool) -> Outcome {
        let i = self.find(id)?;
        if self.entries[i].is_default && !confirm_default {
            return Err(bad(
                "deleting the default workspace requires confirm_default_workspace_deletion=true; it permanently \
                 disables the account's unscoped inference API keys",
            ));
        }
        let workspace_id = self.entries[i].id().to_owned();
        if self.active_keys_in(&workspace_id).next().is_some() {
            return Err(bad("Workspaces with active API keys cannot be deleted; remove the keys first"));
        }
        let guardrail = text(&self.entries[i].workspace, "default_guardrail_id").to_owned();
        self.guardrails.remove(&guardrail);
        self.keys.retain(|k| text(k, "workspace_id") != workspace_id);
        self.entries.remove(i);
        Ok(json!({ "deleted": true }))
    }

    fn member(workspace_id: &str, id: String, user: &OrgUser, created_at: &str) -> Result<Object, ErrorReply> {
        let member = blank(
            shapes::WORKSPACE_MEMBER,
            json!({
                "id": id,
                "workspace_id": workspace_id,
                "user_id": user.user_id,
                "role": user.role,
                "created_at": created_at,
            }),
        );
        checked("WorkspaceMember", shapes::WORKSPACE_MEMBER, &member)?;
        Ok(member)
    }

    fn implicit_member(entry: &Entry, user: &OrgUser) -> Result<Object, ErrorReply> {
        let id = derived_id(&["member", entry.id(), &user.user_id]);
        Store::member(entry.id(), id, user, text(&entry.workspace, "created_at"))
    }

    fn members_of(&self, i: usize) -> Result<Vec<Object>, ErrorReply> {
        let entry = &self.entries[i];
        if entry.is_default {
            self.org.iter().map(|u| Store::implicit_member(entry, u)).collect()
        } else {
            Ok(entry.members.values().cloned().collect())
        }
    }

    pub(crate) fn list_members(&self, id: &str, offset: usize, limit: usize) -> Outcome {
        let i = self.find(id)?;
        let all = self.members_of(i)?;
        let data: Vec<&Object> = all.iter().skip(offset).take(limit).collect();
        Ok(json!({ "data": data, "total_count": all.len() }))
    }

    pub(crate) fn add_members(&mut self, id: &str, user_ids: &[String]) -> Outcome {
        let i = self.find(id)?;
        let mut users = Vec::new();
        for user_id in user_ids {
            match self.org.iter().find(|u| &u.user_id == user_id) {
                Some(u) => users.push(u.clone()),
                None => return Err(bad(format!("user {user_id:?} is not a member of the organization"))),
            }
        }
        let now = self.now();
        let mut added: Vec<Object> = Vec::new();
        for user in users {
            let member = if self.entries[i].is_default {
                Store::implicit_member(&self.entries[i], &user)?
            } else {
                let entry = &mut self.entries[i];
                match entry.members.get(&user.user_id) {
                    Some(existing) => existing.clone(),
                    None => {
                        let member = Store::member(entry.id(), uuid::Uuid::new_v4().to_string(), &user, &now)?;
                        entry.members.insert(user.user_id.clone(), member.clone());
                        member
                    }
                }
            };
            if !added.iter().any(|m| text(m, "user_id") == user.user_id) {
                added.push(member);
            }
        }
        Ok(json!({ "added_count": added.len(), "data": added }))
    }

    pub(crate) fn remove_members(&mut self, id: &str, user_ids: &[String]) -> Outcome {
        let i = self.find(id)?;
        if self.entries[i].is_default {
            return Err(bad(
                "members of the default workspace are implicit (the whole organization); they cannot be removed",
            ));
        }
        let workspace_id = self.entries[i].id().to_owned();
        if let Some(user) = user_ids
            .iter()
            .find(|u| self.active_keys_in(&workspace_id).any(|k| text(k, "creator_user_id") == u.as_str()))
        {
            return Err(bad(format!(
                "Members with active API keys in the workspace cannot be removed: {user:?} has one; delete or \
                 disable it first"
            )));
        }
        let members = &mut self.entries[i].members;
        let removed = user_ids.iter().filter(|u| members.remove(u.as_str()).is_some()).count();
        Ok(json!({ "removed_count": removed }))
    }

    fn byok(&self, i: usize) -> Value {
        Value::Bool(self.entries[i].byok)
    }

    pub(crate) fn list_budgets(&self, id: &str) -> Outcome {
        let i = self.find(id)?;
        let data: Vec<&Object> = self.entries[i].budgets.values().rev().collect();
        Ok(json!({ "data": data, "include_byok_in_budgets": self.byok(i) }))
    }

    fn ranked(interval: &BudgetInterval) -> Result<usize, ErrorReply> {
        rank(interval).ok_or_else(|| bad(format!("invalid interval {:?}", interval.as_str())))
    }

    pub(crate) fn get_budget(&self, id: &str, interval: &BudgetInterval) -> Outcome {
        let i = self.find(id)?;
        let r = Store::ranked(interval)?;
        let budget = self.entries[i]
            .budgets
            .get(&r)
            .ok_or_else(|| not_found("budget", &format!("{interval} of workspace {id}")))?;
        Ok(json!({ "data": budget, "include_byok_in_budgets": self.byok(i) }))
    }

    pub(crate) fn upsert_budget(&mut self, id: &str, interval: &BudgetInterval, body: BudgetLimit) -> Outcome {
        let i = self.find(id)?;
        let r = Store::ranked(interval)?;
        let limit = body.limit_usd;
        for (other, budget) in &self.entries[i].budgets {
            let theirs = budget.get("limit_usd").and_then(Value::as_f64).unwrap_or(0.0);
            let ok = match other.cmp(&r) {
                std::cmp::Ordering::Less => theirs < limit,
                std::cmp::Ordering::Greater => theirs > limit,
                std::cmp::Ordering::Equal => true,
            };
            if !ok {
                let other_name = BudgetInterval::KNOWN.get(*other).map_or("?", BudgetInterval::as_str);
                let widest_first: Vec<&str> = BudgetInterval::KNOWN.iter().rev().map(BudgetInterval::as_str).collect();
                return Err(bad(format!(
                    "budget limits must strictly decrease as the interval narrows ({}): {interval} {limit} conflicts \
                     with {other_name} {theirs}",
                    widest_first.join(" > ")
                )));
            }
        }
        let now = self.now();
        let entry = &mut self.entries[i];
        if let Some(byok) = body.include_byok_in_budgets {
            entry.byok = byok;
            if defines(shapes::WORKSPACE, "include_byok_in_budgets") {
                entry.workspace.insert("include_byok_in_budgets".into(), Value::Bool(byok));
            }
        }
        let workspace_id = entry.id().to_owned();
        let budget = match entry.budgets.get(&r) {
            Some(existing) => {
                let mut b = existing.clone();
                b.insert("limit_usd".into(), json!(limit));
                b.insert("updated_at".into(), Value::String(now));
                b
            }
            None => blank(
                shapes::WORKSPACE_BUDGET,
                json!({
                    "id": uuid::Uuid::new_v4().to_string(),
                    "workspace_id": workspace_id,
                    "limit_usd": limit,
                    "reset_interval": interval.reset_interval(),
                    "created_at": now,
                    "updated_at": now,
                }),
            ),
        };
        checked("WorkspaceBudget", shapes::WORKSPACE_BUDGET, &budget)?;
        entry.budgets.insert(r, budget.clone());
        Ok(json!({ "data": budget, "include_byok_in_budgets": self.byok(i) }))
    }

    pub(crate) fn delete_budget(&mut self, id: &str, interval: &BudgetInterval) -> Outcome {
        let i = self.find(id)?;
        let r = Store::ranked(interval)?;
        self.entries[i].budgets.remove(&r);
        Ok(json!({ "deleted": true }))
    }

    /// Adds a workspace directly (seeding), bypassing HTTP but not the rules.
    pub(crate) fn seed_workspace(&mut self, name: &str, slug: &str) -> Result<crate::Workspace, ErrorReply> {
        use crate::validate::{Side, Validate};
        let body = CreateWorkspace::new(name, slug);
        body.validate(Side::Server).map_err(|e| bad(e.to_string()))?;
        let out = self.create_workspace(body)?;
        serde_json::from_value(out["data"].clone()).map_err(|e| fake_bug(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upsert(s: &mut Store, interval: BudgetInterval, limit: f64) -> Outcome {
        s.upsert_budget("default", &interval, BudgetLimit::new(limit))
    }

    #[test]
    fn budgets_must_strictly_decrease_as_the_interval_narrows() {
        let mut s = Store::new(OrgUser::default_org()).unwrap();
        upsert(&mut s, BudgetInterval::Monthly, 100.0).unwrap();
        assert_eq!(upsert(&mut s, BudgetInterval::Weekly, 100.0).unwrap_err().status, 400);
        upsert(&mut s, BudgetInterval::Weekly, 50.0).unwrap();
        assert!(upsert(&mut s, BudgetInterval::Lifetime, 99.0).is_err());
        upsert(&mut s, BudgetInterval::Lifetime, 1000.0).unwrap();
        assert!(upsert(&mut s, BudgetInterval::Daily, 60.0).is_err());
        upsert(&mut s, BudgetInterval::Daily, 10.0).unwrap();
        // Changing one interval is checked against the others, not against itself.
        upsert(&mut s, BudgetInterval::Monthly, 90.0).unwrap();
        let list = s.list_budgets("default").unwrap();
        let order: Vec<Value> = list["data"].as_array().unwrap().iter().map(|b| b["reset_interval"].clone()).collect();
        assert_eq!(order, [Value::Null, "monthly".into(), "weekly".into(), "daily".into()]);
    }

    #[test]
    fn the_default_workspace_has_the_whole_organization_and_needs_confirmation_to_delete() {
        let mut s = Store::new(OrgUser::default_org()).unwrap();
        let members = s.list_members("default", 0, 100).unwrap();
        assert_eq!(members["total_count"], 4);
        assert_eq!(s.delete_workspace("default", false).unwrap_err().status, 400);
        s.delete_workspace("default", true).unwrap();
        assert_eq!(s.get_workspace("default").unwrap_err().status, 404);
    }

    #[test]
    fn slugs_are_unique_and_updates_apply_values_and_nulls_and_move_updated_at() {
        let mut s = Store::new(OrgUser::default_org()).unwrap();
        let w = s.seed_workspace("A", "a").unwrap();
        assert_eq!(w.default_guardrail_id, derived_id(&["guardrail", &w.id]));
        assert!(s.seed_workspace("B", "a").is_err());
        let body: UpdateWorkspace =
            serde_json::from_str(r#"{"description": null, "name": "A2", "default_text_model": "m"}"#).unwrap();
        let out = s.update_workspace(&w.id, body).unwrap();
        assert_eq!(out["data"]["name"], "A2");
        assert_eq!(out["data"]["description"], Value::Null);
        assert_eq!(out["data"]["default_text_model"], "m");
        assert!(out["data"]["updated_at"].as_str().unwrap() > w.updated_at.as_deref().unwrap());
        let cleared: UpdateWorkspace = serde_json::from_str(r#"{"default_text_model": null}"#).unwrap();
        assert_eq!(s.update_workspace("a", cleared).unwrap()["data"]["default_text_model"], Value::Null);
    }

    #[test]
    fn every_stored_object_fits_its_schema() {
        let mut s = Store::new(OrgUser::default_org()).unwrap();
        let create: CreateWorkspace = serde_json::from_str(
            r#"{"name": "N", "slug": "n", "description": "d", "disabled_server_tools": ["openrouter:bash"]}"#,
        )
        .unwrap();
        let w = s.create_workspace(create).unwrap()["data"].clone();
        let w: crate::Workspace = serde_json::from_value(w).unwrap();
        assert_eq!(
            (w.description.as_deref(), w.disabled_server_tools),
            (Some("d"), Some(vec!["openrouter:bash".into()]))
        );
        assert!(w.extra.is_empty(), "{:?}", w.extra);
        s.add_members("n", &["user_bob".into()]).unwrap();
        let m = s.list_members("n", 0, 10).unwrap()["data"][0].clone();
        assert!(serde_json::from_value::<crate::WorkspaceMember>(m).unwrap().extra.is_empty());
        let b = upsert(&mut s, BudgetInterval::Lifetime, 5.0).unwrap()["data"].clone();
        let b: crate::WorkspaceBudget = serde_json::from_value(b).unwrap();
        assert_eq!((b.reset_interval, b.limit_usd), (None, 5.0));
        let mut bad_object = blank(shapes::WORKSPACE_BUDGET, json!({"not_in_the_spec": 1}));
        bad_object.remove("reset_interval");
        assert_eq!(checked("WorkspaceBudget", shapes::WORKSPACE_BUDGET, &bad_object).unwrap_err().status, 500);
    }
}
