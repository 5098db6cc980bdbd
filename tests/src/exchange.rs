//! Judging a response, and an exchange the fake recorded (its request and its answer).

use openrouter_workspaces::fake::RecordedRequest;
use serde_json::Value;

use crate::collect;
use crate::request::{HttpRequest, list};
use crate::spec::{Spec, SpecOperation, json_content};

impl Spec {
    /// Checks a response: its status must be documented for the operation, and its body must be valid against
    /// that status's schema (or absent where the spec defines none).
    ///
    /// # Errors
    /// Every violation found, each naming the operation and the status.
    pub fn validate_response(&self, operation_id: &str, status: u16, body: Option<&Value>) -> Result<(), Vec<String>> {
        let op = self
            .operation(operation_id)
            .ok_or_else(|| vec![format!("{operation_id}: not an operation of the spec")])?;
        let Some(response) = op.response(status) else {
            return Err(vec![format!(
                "{operation_id} response: status {status} is not documented (documented: {})",
                list(&op.documented_statuses())
            )]);
        };
        let context = format!("{operation_id} response {status} body");
        match (json_content(&response.content), body) {
            (Some(checker), Some(body)) => checker.check(body, &context),
            (Some(_), None) => Err(vec![format!("{context}: the spec defines a JSON body, but there was none")]),
            (None, Some(body)) if response.content.is_empty() => {
                Err(vec![format!("{context}: the spec defines no body, but one was sent: {body}")])
            }
            (None, _) => Ok(()),
        }
    }

    /// Checks the body of a status a test injected on purpose (possibly undocumented, such as 429 or 503): it
    /// must still be the operation's documented error body.
    ///
    /// # Errors
    /// The violations, naming the operation and the status.
    pub fn validate_injected_error(
        &self,
        operation_id: &str,
        status: u16,
        body: Option<&Value>,
    ) -> Result<(), Vec<String>> {
        let op = self
            .operation(operation_id)
            .ok_or_else(|| vec![format!("{operation_id}: not an operation of the spec")])?;
        let context = format!("{operation_id} response {status} (injected) body");
        match (op.error_checker(), body) {
            (Some(checker), Some(body)) => checker.check(body, &context),
            (Some(_), None) => Err(vec![format!("{context}: missing; the spec's error body was expected")]),
            (None, _) => Err(vec![format!("{operation_id}: the spec documents no error body")]),
        }
    }

    /// Checks one exchange the fake recorded: the request ([`Spec::validate_request`]), that the fake routed it to
    /// the operation the spec matches, and the answer ([`Spec::validate_response`]). An exchange with no answer
    /// (status 0: a fault answered for the fake, or the client left) is judged on its request alone.
    ///
    /// # Errors
    /// Every violation found.
    pub fn validate_exchange(&self, exchange: &RecordedRequest) -> Result<(), Vec<String>> {
        self.validate_exchange_with_faults(exchange, &[])
    }

    /// As [`Spec::validate_exchange`], but statuses in `injected` (faults a test queued on purpose) need not be
    /// documented; their bodies must still be the documented error body.
    ///
    /// # Errors
    /// Every violation found.
    pub fn validate_exchange_with_faults(
        &self,
        exchange: &RecordedRequest,
        injected: &[u16],
    ) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        let op = match self.validate_request(&HttpRequest::from(exchange)) {
            Ok(op) => Some(op),
            Err(e) => {
                errors.extend(e);
                None
            }
        };
        if let Some(op) = op {
            if exchange.operation_id.map(|id| id.as_str()) != Some(op.id.as_str()) {
                errors.push(format!(
                    "{}: the fake routed {} {} to {:?}, but the spec matches {}",
                    op.id, exchange.method, exchange.path, exchange.operation_id, op.id
                ));
            }
            if exchange.status != 0 {
                let body = exchange.response_body.as_ref();
                let result = if injected.contains(&exchange.status) && op.response(exchange.status).is_none() {
                    self.validate_injected_error(&op.id, exchange.status, body)
                } else {
                    self.validate_response(&op.id, exchange.status, body)
                };
                collect(&mut errors, result);
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// For a request that breaks the spec on purpose: returns its violations, and checks that the fake refused
    /// it with a 4xx and the spec's error body (which statuses an operation documents covers requests that
    /// conform; a request that does not gets the API's 400).
    ///
    /// # Errors
    /// When the request conforms after all, or the answer is not a 4xx with the documented error body.
    pub fn validate_rejected_exchange(&self, exchange: &RecordedRequest) -> Result<Vec<String>, Vec<String>> {
        let violations = match self.validate_request(&HttpRequest::from(exchange)) {
            Ok(op) => return Err(vec![format!("{}: the request conforms to the spec; it was expected not to", op.id)]),
            Err(v) => v,
        };
        let what = format!("{} {}", exchange.method, exchange.path);
        if !(400..500).contains(&exchange.status) {
            return Err(vec![format!("{what}: a request outside the spec must get a 4xx, got {}", exchange.status)]);
        }
        // Routed or not, every operation of this spec shares one error body: judge by the routed one, else any.
        let op = exchange.operation_id.and_then(|id| self.operation(id.as_str())).or(self.operations.first());
        let checker =
            op.and_then(SpecOperation::error_checker).ok_or_else(|| vec!["the spec has no error body".to_owned()])?;
        let context = format!("{what} response {} body", exchange.status);
        match &exchange.response_body {
            Some(body) => checker.check(body, &context)?,
            None => return Err(vec![format!("{context}: missing")]),
        }
        Ok(violations)
    }
}
