//! CDK cloud assemblies as `cdk synth` writes them: `examples/vulnerable-cdk/cdk.out` (a real
//! synthesized app: a stack with a `NestedStack`, a Lambda and a layer from asset folders, and
//! a second stack in a `Stage`) loads into one app per deployed stack, with the nested stack's
//! resources in its parent's app, parameters resolved across the boundary, and function and
//! layer code pointing at the `asset.*` folders. Fails if nested stacks or assets stop being
//! followed, or if a nested template is counted twice.

use perimeter_load::{LoadOptions, load_path};
use perimeter_model::{App, Model, SourceKind};
use std::path::{Path, PathBuf};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/vulnerable-cdk")
}

fn scan(path: &Path) -> Model {
    load_path(path, &LoadOptions::default()).expect("load_path")
}

fn summary(model: &Model) -> Vec<String> {
    let mut out = Vec::new();
    for app in &model.apps {
        out.push(format!(
            "app {} ({:?}) from {}",
            app.name, app.source, app.file
        ));
        for f in &app.functions {
            out.push(format!(
                "  function {} at {}:{} construct={:?} code={:?} role={:?} layers={:?} env={:?}",
                f.id,
                f.location.file,
                f.location.line,
                f.construct_path,
                f.code_path.as_ref().and_then(|c| c.as_str()),
                f.role.as_str(),
                f.layers.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
                f.environment
                    .iter()
                    .map(|e| format!("{}={:?}", e.name, e.value.as_str()))
                    .collect::<Vec<_>>(),
            ));
        }
        for r in &app.resources {
            out.push(format!(
                "  resource {} {} at {} code={:?}",
                r.id,
                r.type_name,
                r.location.file,
                r.code_path.as_ref().and_then(|c| c.as_str()),
            ));
        }
        for r in &app.roles {
            out.push(format!("  role {} at {}", r.id, r.location.file));
        }
        for a in &app.apis {
            out.push(format!("  api {} at {}", a.id, a.location.file));
        }
    }
    for e in &model.errors {
        out.push(format!("error {}:{:?} {}", e.file, e.line, e.message));
    }
    out
}

fn app<'m>(model: &'m Model, name: &str) -> &'m App {
    model
        .apps
        .iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("no app {name}: {:#?}", summary(model)))
}

#[test]
fn project_folder_loads_every_stack_once_with_nested_stacks_and_assets() {
    let model = scan(&example());
    insta::assert_yaml_snapshot!(summary(&model));
    assert!(model.errors.is_empty(), "{:#?}", model.errors);
    let names: Vec<&str> = model.apps.iter().map(|a| a.name.as_str()).collect();
    // The nested template is part of OrdersStack, not an app of its own.
    assert_eq!(
        names,
        ["OrdersStack", "Prod-Reports"],
        "{:#?}",
        summary(&model)
    );
    let orders = app(&model, "OrdersStack");
    assert_eq!(orders.source, SourceKind::Cdk);
    let handler = orders
        .functions
        .iter()
        .find(|f| f.id.starts_with("OrdersHandler"))
        .expect("the nested stack's function is in its parent's app");
    assert!(
        handler.location.file.ends_with(".nested.template.json"),
        "{}",
        handler.location.file
    );
    assert_eq!(
        handler.construct_path.as_deref(),
        Some("OrdersStack/Api/OrdersHandler/Resource")
    );
    // Code from the asset folder, next to the templates.
    let code = handler
        .code_path
        .as_ref()
        .and_then(|c| c.as_str())
        .expect("code path");
    assert!(code.starts_with("cdk.out/asset."), "{code}");
    assert!(example().join(code).join("app.py").is_file());
    // The parent's table and layer, passed in as nested-stack parameters, stay references.
    let table = orders
        .resources
        .iter()
        .find(|r| r.type_name == "AWS::DynamoDB::Table")
        .expect("table");
    let env = handler
        .environment
        .iter()
        .find(|e| e.name == "TABLE_NAME")
        .expect("TABLE_NAME");
    assert_eq!(
        env.value.as_str(),
        Some(format!("${{{}}}", table.id).as_str())
    );
    let layer = orders
        .resources
        .iter()
        .find(|r| r.type_name == "AWS::Lambda::LayerVersion")
        .expect("layer");
    assert_eq!(
        handler
            .layers
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>(),
        [Some(layer.id.as_str())]
    );
    let layer_code = layer
        .code_path
        .as_ref()
        .and_then(|c| c.as_str())
        .expect("layer content");
    assert!(
        example()
            .join(layer_code)
            .join("requirements.txt")
            .is_file()
    );
    // The role the function uses is the nested one, and it can write the parent's table.
    let role_id = handler.role.as_str().expect("role");
    let role = orders.role(role_id).expect("role in the app");
    let arn = format!("${{{}.Arn}}", table.id);
    assert!(
        role.policies
            .iter()
            .flat_map(|p| &p.statements)
            .any(|s| s.resources.iter().any(|r| r.as_str() == Some(arn.as_str()))),
        "no statement on {arn}"
    );
    // The Stage's stack is named as CDK deploys it.
    let reports = app(&model, "Prod-Reports");
    assert!(reports.file.starts_with("cdk.out/assembly-Prod/"));
    assert_eq!(reports.functions.len(), 1);
}

#[test]
fn cdk_out_folder_and_single_template_load_the_same() {
    let whole = scan(&example());
    let orders = app(&whole, "OrdersStack");
    let out = scan(&example().join("cdk.out"));
    assert_eq!(out.apps.len(), 2, "{:#?}", summary(&out));
    let from_out = app(&out, "OrdersStack");
    assert_eq!(from_out.functions.len(), orders.functions.len());
    assert_eq!(from_out.resources.len(), orders.resources.len());
    let file = example().join("cdk.out/OrdersStack.template.json");
    let single = scan(&file);
    assert!(single.errors.is_empty(), "{:#?}", single.errors);
    let one = app(&single, "OrdersStack");
    assert_eq!(one.functions.len(), orders.functions.len());
    assert!(
        one.functions
            .iter()
            .any(|f| f.id.starts_with("OrdersHandler"))
    );
    // The nested template named on its own still loads (its parameters unresolved).
    let nested = std::fs::read_dir(example().join("cdk.out"))
        .expect("cdk.out")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(".nested.template.json"))
        .expect("nested template");
    let alone = scan(&nested);
    assert_eq!(alone.apps.len(), 1);
    assert!(
        alone.apps[0]
            .functions
            .iter()
            .any(|f| f.id.starts_with("OrdersHandler"))
    );
}

/// A plain CloudFormation nested stack with a local `TemplateURL` (before `aws cloudformation
/// package`), a parameter passed as a `Fn::GetAtt`, a cycle back to the parent, a missing
/// nested file and one outside the scanned folder.
#[test]
fn local_nested_templates_cycles_and_missing_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(
        root.join("parent.yaml"),
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: child/child.yaml\n      Parameters:\n        RoleArn: !GetAtt Role.Arn\n  Missing:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ./missing.yaml\n  Outside:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ../../etc/passwd\n",
    )
    .expect("write");
    std::fs::create_dir(root.join("child")).expect("mkdir");
    std::fs::write(
        root.join("child/child.yaml"),
        "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  RoleArn:\n    Type: String\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      Code: ../src\n      Role: !Ref RoleArn\n  Back:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ../parent.yaml\n",
    )
    .expect("write");
    let model = scan(root);
    let apps: Vec<&str> = model.apps.iter().map(|a| a.file.as_str()).collect();
    // The two templates nest each other: the walk stops at the cycle, and both are kept
    // rather than both dropped as nested duplicates.
    assert_eq!(
        apps,
        ["child/child.yaml", "parent.yaml"],
        "{:#?}",
        summary(&model)
    );
    let parent = &model.apps[1];
    let f = parent.function("Fn").expect("nested function");
    assert_eq!(f.location.file, "child/child.yaml");
    assert_eq!(f.role.as_str(), Some("Role"));
    assert_eq!(f.code_path.as_ref().and_then(|c| c.as_str()), Some("src"));
    let errors: Vec<String> = model
        .errors
        .iter()
        .map(|e| format!("{}:{:?} {}", e.file, e.line, e.message))
        .collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors[0].contains("Missing") && errors[0].contains("cannot read"));
    assert!(errors[1].contains("Outside") && errors[1].contains("outside the scanned folder"));
}
