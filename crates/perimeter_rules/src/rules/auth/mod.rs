//! AUTH rules: exposure and authentication (who can invoke a function).

use crate::Rule;

mod function_key_only;
mod indirect_public_trigger;
mod open_cors_on_public_endpoint;
mod public_function_url;
mod public_resource_policy;
mod service_permission_without_source;
#[cfg(test)]
pub(crate) mod testing;
mod unauthenticated_api_route;

/// The rules of this family.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &unauthenticated_api_route::UnauthenticatedApiRoute,
        &public_function_url::PublicFunctionUrl,
        &public_resource_policy::PublicResourcePolicy,
        &service_permission_without_source::ServicePermissionWithoutSource,
        &open_cors_on_public_endpoint::OpenCorsOnPublicEndpoint,
        &indirect_public_trigger::IndirectPublicTrigger,
        &function_key_only::FunctionKeyOnly,
    ]
}
