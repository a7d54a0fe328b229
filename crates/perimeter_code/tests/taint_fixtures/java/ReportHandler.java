package com.example.reports;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.io.File;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Base64;
import java.io.ByteArrayInputStream;
import java.util.Map;

public class ReportHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    private Connection connect() throws Exception {
        return DriverManager.getConnection(System.getenv("JDBC_URL"));
    }

    private String lookup(Connection conn, String region) throws Exception {
        String sql = "SELECT total FROM sales WHERE region = '" + region + "'";
        // ruleid: INJ004
        ResultSet rs = conn.createStatement().executeQuery(sql);
        return rs.next() ? rs.getString(1) : "";
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        try {
            Map<String, String> params = event.getQueryStringParameters();
            String region = params.get("region");
            Connection conn = connect();
            String total = lookup(conn, region);
            // ok: INJ004
            PreparedStatement ps = conn.prepareStatement("SELECT * FROM sales WHERE region = ?");
            ps.setString(1, region);
            String host = event.getHeaders().get("X-Report-Host");
            // ruleid: INJ001
            Process p = new ProcessBuilder("sh", "-c", "curl " + host).start();
            // ok: INJ001
            new ProcessBuilder("curl", host).start();
            // ruleid: INJ001
            Runtime.getRuntime().exec(new String[] {"/bin/bash", "-c", "nslookup " + host});
            String file = event.getPathParameters().get("file");
            // ruleid: INJ006
            File report = new File("/opt/reports/" + file);
            // ok: INJ006
            File index = new File("/opt/reports/index.html");
            // ruleid: INJ006
            byte[] bytes = Files.readAllBytes(Paths.get("/opt/reports", file));
            // ruleid: INJ007
            InputStream in = new URL(event.getBody()).openConnection().getInputStream();
            byte[] blob = Base64.getDecoder().decode(event.getBody());
            // ruleid: INJ003
            Object state = new ObjectInputStream(new ByteArrayInputStream(blob)).readObject();
            int limit = Integer.parseInt(params.get("limit"));
            // ok: INJ004
            conn.createStatement().executeQuery("SELECT * FROM sales LIMIT " + limit);
            return new APIGatewayProxyResponseEvent().withStatusCode(200).withBody(total + report + index + bytes.length + in + state);
        } catch (Exception e) {
            return new APIGatewayProxyResponseEvent().withStatusCode(500);
        }
    }
}
