//! Test-only helpers: an owned request builder and sign-then-apply. Never compiled into
//! the library.

use crate::signature::{Request, SchemeConfig, SchemeId, SignExtra, Signed};

#[derive(Clone, Debug)]
pub(crate) struct Req {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub ip: Option<std::net::IpAddr>,
}

impl Req {
    pub(crate) fn post(url: &str, body: &[u8]) -> Req {
        Req {
            method: "POST".into(),
            url: url.into(),
            headers: vec![],
            body: body.to_vec(),
            ip: None,
        }
    }
    pub(crate) fn h(mut self, name: &str, value: &str) -> Req {
        let n = name.to_ascii_lowercase();
        self.headers.retain(|(k, _)| *k != n);
        self.headers.push((n, value.to_string()));
        self
    }
    pub(crate) fn form(self) -> Req {
        self.h("content-type", "application/x-www-form-urlencoded")
    }
    pub(crate) fn json(self) -> Req {
        self.h("content-type", "application/json")
    }
    pub(crate) fn r(&self) -> Request<'_> {
        Request {
            method: &self.method,
            url: &self.url,
            headers: &self.headers,
            body: &self.body,
            remote_ip: self.ip,
        }
    }
    pub(crate) fn apply(mut self, s: &Signed) -> Req {
        s.apply_headers(&mut self.headers);
        if let Some(b) = &s.body {
            self.body = b.clone();
        }
        if let Some(u) = &s.url {
            self.url = u.clone();
        }
        self
    }
    pub(crate) fn flip_body_byte(mut self) -> Req {
        let i = self.body.len() / 2;
        self.body[i] ^= 0x01;
        self
    }
}

pub(crate) fn cfg(scheme: SchemeId, secrets: &[&str]) -> SchemeConfig {
    SchemeConfig::new(scheme, secrets)
}

/// Sign `req` with secret `idx` of `cfg` at `now` and return the signed request.
pub(crate) fn signed(cfg: &SchemeConfig, idx: usize, req: Req, now: i64) -> Req {
    let extra = SignExtra {
        message_id: Some("msg_test".into()),
        token: Some("tok_test".into()),
    };
    let s = crate::signature::sign(cfg, idx, &req.r(), now, &extra).expect("sign");
    req.apply(&s)
}
