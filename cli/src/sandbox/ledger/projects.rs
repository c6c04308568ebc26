//! The demo projects, one per platform of the catalog, and their secrets. A leaf: the
//! state, PayDala's settings and the demo shop read it.

use epay_core::catalog::Platform;

/// A demo project created at start when missing: (project_id, name, secret).
#[derive(Debug, Clone, Copy)]
pub struct DemoProject {
    pub id: u64,
    pub name: &'static str,
    pub secret: &'static str,
}

/// The demo project of a platform: ECommPay project 250 and JetPay project 1234. It takes
/// the methods the catalog gives its platform (card-partner and epaycash; paydala).
pub const fn demo_project(platform: Platform) -> DemoProject {
    match platform {
        Platform::Ecommpay => DemoProject { id: 250, name: "Demo shop (ECommPay project 250)", secret: "sandbox-secret-250" },
        Platform::Jetpay => DemoProject { id: 1234, name: "Demo shop (JetPay project 1234)", secret: "sandbox-secret-1234" },
    }
}

/// The demo projects, one per platform ([`demo_project`] of each of `Platform::ALL`).
pub const DEMO_PROJECTS: [DemoProject; Platform::ALL.len()] = {
    let mut projects = [demo_project(Platform::ALL[0]); Platform::ALL.len()];
    let mut i = 1;
    while i < projects.len() {
        projects[i] = demo_project(Platform::ALL[i]);
        i += 1;
    }
    projects
};

/// The secret of a demo project, `None` for any other project.
pub fn secret_of(project_id: u64) -> Option<&'static str> {
    DEMO_PROJECTS.iter().find(|p| p.id == project_id).map(|p| p.secret)
}
