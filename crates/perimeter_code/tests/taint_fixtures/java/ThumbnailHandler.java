package com.example.thumbs;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;
import java.io.File;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.apache.commons.io.FilenameUtils;

public class ThumbnailHandler implements RequestHandler<S3Event, String> {

    @Override
    public String handleRequest(S3Event event, Context context) {
        StringBuilder report = new StringBuilder();
        for (S3EventNotificationRecord record : event.getRecords()) {
            String key = URLDecoder.decode(record.getS3().getObject().getKey(), StandardCharsets.UTF_8);
            try {
                // ruleid: INJ001
                Process p = Runtime.getRuntime().exec(new String[] {"sh", "-c", "convert /tmp/" + key + " /tmp/thumb.png"});
                p.waitFor();
                // ok: INJ001
                Runtime.getRuntime().exec(new String[] {"convert", "/tmp/" + key, "/tmp/thumb.png"});
                // ok: INJ006
                File safe = new File("/tmp/" + FilenameUtils.getName(key));
                // ruleid: INJ006
                File unsafe = new File("/tmp", key);
                Connection conn = DriverManager.getConnection(System.getenv("JDBC_URL"));
                Statement stmt = conn.createStatement();
                String sql = String.format("INSERT INTO thumbs (key) VALUES ('%s')", key);
                // ruleid: INJ004
                stmt.executeUpdate(sql);
                StringBuilder query = new StringBuilder("SELECT * FROM thumbs WHERE key = '");
                query.append(key).append("'");
                // ruleid: INJ004
                stmt.executeQuery(query.toString());
                // ok: INJ004
                stmt.executeQuery("SELECT count(*) FROM thumbs");
                report.append(safe.getName()).append(unsafe.getName());
            } catch (Exception e) {
                context.getLogger().log(e.getMessage());
            }
        }
        return report.toString();
    }
}
