package com.example.rules;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;
import javax.script.ScriptEngine;
import javax.script.ScriptEngineManager;
import org.yaml.snakeyaml.Yaml;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ExecuteStatementRequest;

public class ScriptHandler implements RequestHandler<Map<String, String>, String> {

    private final DynamoDbClient ddb = DynamoDbClient.create();
    private final ScriptEngine engine = new ScriptEngineManager().getEngineByName("js");

    public String handleRequest(Map<String, String> input, Context context) {
        try {
            String rule = input.get("rule");
            // ruleid: INJ002
            Object verdict = engine.eval("var order = " + input.get("order") + "; " + rule);
            // ok: INJ002
            engine.eval("1 + 1");
            // ruleid: INJ003
            Object config = new Yaml().load(input.get("config"));
            String table = input.get("table");
            // ruleid: INJ005
            ddb.executeStatement(ExecuteStatementRequest.builder().statement("SELECT * FROM " + table).build());
            // ok: INJ005
            ddb.executeStatement(ExecuteStatementRequest.builder().statement("SELECT * FROM Orders").build());
            return String.valueOf(verdict) + config;
        } catch (Exception e) {
            return "error";
        }
    }
}
