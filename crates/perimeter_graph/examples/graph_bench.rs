//! Prints how long building the attack graph takes on a tree (after loading it and running
//! the code stage, which are timed apart): `cargo run -p perimeter_graph --example
//! graph_bench -- PATH...`, or `--synthetic N` for one app of N public functions, each with its
//! own role reading its own table plus a shared queue. Used by `bench/graph/run.sh`.

use perimeter_model::{
    App, Attr, Auth, Function, HttpRoute, Location, Model, Policy, PolicySource, Resource,
    ResourceKind, Role, SourceKind, Statement, Trigger, TriggerKind,
};
use std::time::Instant;

fn synthetic(n: usize) -> Model {
    let at = Location::new("template.yaml", 1, 1);
    let mut app = App::new(
        "template.yaml",
        "synthetic",
        SourceKind::Sam,
        "template.yaml",
    );
    app.resources.push(Resource::new(
        "Jobs",
        ResourceKind::Queue,
        "AWS::SQS::Queue",
        at.clone(),
    ));
    for i in 0..n {
        let mut f = Function::new(format!("Fn{i}"), at.clone());
        f.role = Attr::explicit(format!("Role{i}"), at.clone());
        f.triggers.push(Trigger {
            id: "Get".into(),
            kind: TriggerKind::HttpApi,
            type_name: "HttpApi".into(),
            location: at.clone(),
            source: None,
            http: Some(HttpRoute {
                api: None,
                method: "GET".into(),
                path: format!("/f{i}"),
                auth: Attr::explicit(if i % 2 == 0 { Auth::None } else { Auth::Iam }, at.clone()),
                api_key_required: Attr::defaulted(false, at.clone()),
                private: Attr::defaulted(false, at.clone()),
                cors: None,
            }),
        });
        app.functions.push(f);
        let mut st = Statement::new(at.clone());
        st.actions
            .push(Attr::explicit("dynamodb:GetItem".into(), at.clone()));
        st.actions
            .push(Attr::explicit("dynamodb:PutItem".into(), at.clone()));
        st.actions
            .push(Attr::explicit("sqs:SendMessage".into(), at.clone()));
        st.resources
            .push(Attr::explicit(format!("${{Table{i}.Arn}}"), at.clone()));
        st.resources
            .push(Attr::explicit("${Jobs.Arn}".into(), at.clone()));
        let mut role = Role::new(format!("Role{i}"), at.clone(), false);
        role.policies.push(Policy {
            name: "Data".into(),
            source: PolicySource::Inline,
            location: at.clone(),
            statements: vec![st],
        });
        app.roles.push(role);
        app.resources.push(Resource::new(
            format!("Table{i}"),
            ResourceKind::Table,
            "AWS::DynamoDB::Table",
            at.clone(),
        ));
    }
    Model {
        apps: vec![app],
        errors: Vec::new(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--synthetic") {
        let n = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(5000);
        let model = synthetic(n);
        // Where the time goes: the IAM engine, exposure, and the cost model, each alone.
        let app = &model.apps[0];
        let t = Instant::now();
        let grants: usize = app
            .roles
            .iter()
            .map(|r| {
                perimeter_iam::EffectivePermissions::of_role(r)
                    .grants()
                    .len()
            })
            .sum();
        let iam = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let index = perimeter_rules::exposure::ExposureIndex::new(app);
        let entries: usize = app
            .functions
            .iter()
            .map(|f| index.function_exposure(f).entry_points.len())
            .sum();
        let exposure = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let costed = app
            .functions
            .iter()
            .filter(|f| {
                let exposure = index.function_exposure(f);
                perimeter_graph::cost::exposure_cost(
                    app,
                    f,
                    &exposure,
                    perimeter_cost::default_prices(),
                    perimeter_cost::DEFAULT_ACCOUNT_CONCURRENCY,
                )
                .is_some()
            })
            .count();
        let cost = t.elapsed().as_secs_f64();
        println!(
            "  of which: IAM engine {iam:.3} s ({grants} grants), exposure {exposure:.3} s ({entries} entry points), cost {cost:.3} s ({costed} public)"
        );
        let t = Instant::now();
        let graph = perimeter_graph::build(&model);
        println!(
            "synthetic: {n} functions -> {} nodes, {} edges, {} paths; graph {:.3} s",
            graph.nodes.len(),
            graph.edges.len(),
            graph.paths.len(),
            t.elapsed().as_secs_f64()
        );
        return;
    }
    for arg in args {
        let root = std::path::Path::new(&arg);
        let t = Instant::now();
        let mut model =
            match perimeter_load::load_path(root, &perimeter_load::LoadOptions::default()) {
                Ok(m) => m,
                Err(e) => {
                    eprintln!("{arg}: {e}");
                    continue;
                }
            };
        perimeter_code::attach(&mut model, root, &perimeter_code::CodeOptions::default());
        let load = t.elapsed();
        let t = Instant::now();
        let graph = perimeter_graph::build(&model);
        let build = t.elapsed();
        let functions: usize = model.apps.iter().map(|a| a.functions.len()).sum();
        println!(
            "{arg}: {} apps, {functions} functions -> {} nodes, {} edges, {} paths; load+code {:.2} s, graph {:.3} s",
            model.apps.len(),
            graph.nodes.len(),
            graph.edges.len(),
            graph.paths.len(),
            load.as_secs_f64(),
            build.as_secs_f64()
        );
    }
}
