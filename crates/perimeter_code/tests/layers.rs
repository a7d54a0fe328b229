//! Layers whose content is in the scanned tree become `Layer` bundles of the functions that
//! use them (SAM `ContentUri`, Serverless `layers.*.path`).

mod common;

use common::load_and_attach;
use perimeter_code::CodeOptions;
use perimeter_model::BundleKind;
use std::fs;

fn write(dir: &std::path::Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

#[test]
fn sam_layer_content_is_a_bundle_of_its_functions() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "template.yaml",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Shared:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n      ContentUri: layer/\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: app.handler\n      Runtime: python3.12\n      Layers:\n        - !Ref Shared\n  Other:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: app.handler\n      Runtime: python3.12\n",
    );
    write(
        dir.path(),
        "src/app.py",
        "def handler(event, context):\n    return 1\n",
    );
    write(dir.path(), "layer/python/util.py", "X = 1\n");
    write(dir.path(), "layer/requirements.txt", "requests==2.19.1\n");
    let (model, _) = load_and_attach(dir.path(), &CodeOptions::default());
    let app = &model.apps[0];
    let layer = app.bundle("layer").expect("layer bundle");
    assert_eq!(layer.kind, BundleKind::Layer);
    assert!(layer.files.iter().any(|f| f.path == "layer/python/util.py"));
    let with = app.function("Fn").unwrap().code.as_ref().unwrap();
    assert_eq!(with.layers, vec!["layer".to_string()]);
    let without = app.function("Other").unwrap().code.as_ref().unwrap();
    assert!(without.layers.is_empty());
}

#[test]
fn serverless_layer_path_is_a_bundle() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "serverless.yml",
        "service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\nlayers:\n  common:\n    path: layers/common\nfunctions:\n  api:\n    handler: handler.main\n    layers:\n      - { Ref: CommonLambdaLayer }\n",
    );
    write(dir.path(), "handler.js", "exports.main = async () => 1;\n");
    write(
        dir.path(),
        "layers/common/nodejs/lib.js",
        "module.exports = 1;\n",
    );
    let (model, _) = load_and_attach(dir.path(), &CodeOptions::default());
    let app = &model.apps[0];
    let code = app.function("api").unwrap().code.as_ref().unwrap();
    assert_eq!(code.layers, vec!["layers/common".to_string()]);
    assert_eq!(app.bundle("layers/common").unwrap().kind, BundleKind::Layer);
}
